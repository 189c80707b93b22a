/**
 * The server's certificate check when the issuing CA is only reachable through AIA: a CA web
 * server that is down or slow must give "could not be checked now" (which does not end live
 * sessions), never "untrusted" (which logs the user out everywhere). The bench server-scale
 * lost event streams that way under load. OpenSSL issues the leaf; a loopback HTTP server
 * plays the CA's web server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertChecker } from '../../../server/certs.js';
import { run } from '../../bed/run.js';
import { createLocalPki, type LocalPki } from '../../integration/signing/local-pki.js';

let dir: string;
let pki: LocalPki;
let server: Server;
let caUp = true;
/** DER of a leaf whose only way to its issuer is the AIA URL. */
let leaf: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-certchecker-'));
  pki = await createLocalPki(path.join(dir, 'pki'));
  server = createServer((_req, res) => {
    if (!caUp) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/pkix-cert' }).end(pki.intermediate.der);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/issuing.cer`;
  const p = (f: string) => path.join(dir, f);
  writeFileSync(p('ext.cnf'), `authorityInfoAccess = caIssuers;URI:${url}\nkeyUsage = critical,digitalSignature\n`);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('leaf.key'), '-out', p('leaf.csr'), '-subj', '/CN=AIA Only/O=Kyso Test/C=VN']);
  await run('openssl', ['x509', '-req', '-in', p('leaf.csr'), '-CA', pki.intermediate.cert, '-CAkey', pki.intermediate.key, '-set_serial', '4242', '-days', '30', '-extfile', p('ext.cnf'), '-out', p('leaf.pem')]);
  leaf = (await run('openssl', ['x509', '-in', p('leaf.pem'), '-outform', 'DER'])).stdout;
}, 60_000);

afterAll(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const checker = () => new CertChecker({ anchors: [pki.root.der], crls: [], offline: false, revocation: 'best-effort' });

describe('CertChecker and an issuer reachable only through AIA', () => {
  it('with the CA server up: good, and hands back the fetched issuer for the session to keep', async () => {
    caUp = true;
    const fetched = await checker().check(leaf);
    expect(fetched.map((c) => c.toString('hex'))).toEqual([pki.intermediate.der.toString('hex')]);
    // With that issuer in the pool, no fetch is needed: the CA server down changes nothing.
    caUp = false;
    await expect(checker().check(leaf, [fetched[0]!])).resolves.toEqual([]);
  });

  it('with the CA server down: "could not be checked" (sessions survive), not "untrusted"', async () => {
    caUp = false;
    await expect(checker().check(leaf)).rejects.toMatchObject({ code: 'exCertRevocationUnknown' });
  });

  it('a leaf with no AIA and no issuer at hand is still untrusted', async () => {
    await expect(checker().check(pki.rsa.der)).rejects.toMatchObject({ code: 'exCertUntrusted' });
  });
});
