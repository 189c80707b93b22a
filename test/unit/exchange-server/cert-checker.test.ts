/**
 * The server's certificate check when the issuing CA is only reachable through AIA. Login
 * hands back the issuers it fetched (also from its cache) so the session keeps them: a
 * session's re-checks then need no CA web server, which under load was slow enough to call
 * the certificate untrusted and end every session of the user (the bench server-scale lost
 * event streams that way). A CA no longer trusted still ends them: an unanswered AIA URL is
 * never taken as "could not check". OpenSSL issues the leaf; a loopback HTTP server plays the
 * CA's web server.
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
  it('with the CA server up: good, and hands back the fetched issuer, from its cache too', async () => {
    caUp = true;
    const c = checker();
    const fetched = await c.check(leaf);
    expect(fetched.map((x) => x.toString('hex'))).toEqual([pki.intermediate.der.toString('hex')]);
    // A second login of the same certificate is answered from the cache: same issuers.
    caUp = false;
    expect((await c.check(leaf)).map((x) => x.toString('hex'))).toEqual([pki.intermediate.der.toString('hex')]);
  });

  it('with the issuer kept (as a session keeps it), the CA server down changes nothing', async () => {
    caUp = false;
    await expect(checker().check(leaf, [pki.intermediate.der])).resolves.toEqual([]);
  });

  it('with the CA server down and no issuer at hand: untrusted, not "could not check"', async () => {
    caUp = false;
    await expect(checker().check(leaf)).rejects.toMatchObject({ code: 'exCertUntrusted' });
  });

  it('a root no longer trusted: untrusted even though its AIA does not answer', async () => {
    caUp = false;
    const c = new CertChecker({ anchors: [], crls: [], offline: false, revocation: 'best-effort' });
    await expect(c.check(leaf, [pki.intermediate.der, pki.root.der])).rejects.toMatchObject({ code: 'exCertUntrusted' });
  });
});
