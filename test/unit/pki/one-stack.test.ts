/**
 * The one PKI stack checks what signing's copies once took on trust (issue 16 item 1): the
 * B-LT DSS, validation and the server now read OCSP answers and CRLs through ocsp.ts / crl.ts,
 * and order chains through chain.ts. OpenSSL makes the PKI, the OCSP answers (`openssl ocsp`,
 * which echoes the request's nonce) and the CRLs (`openssl ca -gencrl`).
 */
import { webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certView, parseCertificate } from '../../../main/pki/cert.js';
import { buildChain, signerChain } from '../../../main/pki/chain.js';
import { readCrl } from '../../../main/pki/crl.js';
import { buildOcspRequest, readOcspResponse } from '../../../main/pki/ocsp.js';
import { run } from '../../bed/run.js';
import { createLocalPki, type LocalPki } from '../../integration/signing/local-pki.js';

let dir: string;
let pki: LocalPki;
/** DER of a certificate that claims the issuing CA's name but has a key of its own. */
let impostor: Buffer;
const v = (der: Uint8Array) => certView(der);
const p = (f: string) => path.join(dir, f);

/** `openssl ocsp` answering `request` from the issuing CA's database, signed by `signer`. */
async function answer(request: Buffer, signer: { cert: string; key: string }): Promise<Buffer> {
  writeFileSync(p('req.der'), request);
  await run('openssl', ['ocsp', '-index', path.join(pki.dir, 'inter', 'index.txt'), '-CA', pki.intermediate.cert, '-rsigner', signer.cert, '-rkey', signer.key, '-reqin', p('req.der'), '-respout', p('resp.der'), '-ndays', '1']);
  return readFileSync(p('resp.der'));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-onestack-'));
  pki = await createLocalPki(path.join(dir, 'pki'));
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('impostor.key'), '-out', p('impostor.pem'), '-days', '30',
    '-subj', '/CN=Kyso Test Issuing CA/O=Kyso Test/C=VN', '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  impostor = (await run('openssl', ['x509', '-in', p('impostor.pem'), '-outform', 'DER'])).stdout;
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('OCSP answers are checked the same for signing and validation', () => {
  it('accepts the issuer-signed answer with the nonce it sent, refuses another nonce', async () => {
    const nonce = Buffer.alloc(16, 7);
    const resp = await answer(buildOcspRequest(v(pki.ec.der), v(pki.intermediate.der), nonce), { cert: pki.intermediate.cert, key: pki.intermediate.key });
    expect(readOcspResponse(resp, v(pki.ec.der), v(pki.intermediate.der), nonce)).toMatchObject({ status: 'good', certificates: expect.any(Array) });
    expect(() => readOcspResponse(resp, v(pki.ec.der), v(pki.intermediate.der), Buffer.alloc(16, 8))).toThrow(expect.objectContaining({ code: 'ocspBadResponse', params: { detail: 'nonce mismatch' } }));
    // An answer about another certificate is no answer about this one.
    expect(() => readOcspResponse(resp, v(pki.rsa.der), v(pki.intermediate.der))).toThrow(expect.objectContaining({ code: 'ocspBadResponse', params: { detail: 'no answer for this certificate' } }));
  });

  it('refuses an answer signed by a key the issuer never certified for OCSP', async () => {
    const resp = await answer(buildOcspRequest(v(pki.ec.der), v(pki.intermediate.der)), { cert: p('impostor.pem'), key: p('impostor.key') });
    expect(() => readOcspResponse(resp, v(pki.ec.der), v(pki.intermediate.der))).toThrow(expect.objectContaining({ code: 'ocspBadResponse', params: { detail: 'not signed by the issuer or its OCSP responder' } }));
  });
});

describe('CRLs are checked the same for signing and validation', () => {
  it('reads the issuer-signed CRL, refuses one that the named issuer did not sign, and one of another CA', async () => {
    await run('openssl', ['ca', '-gencrl', '-config', pki.caConf, '-out', p('inter.crl')]);
    const pem = readFileSync(p('inter.crl'));
    expect(readCrl(pem, v(pki.ec.der), v(pki.intermediate.der))).toMatchObject({ status: 'good', crl: expect.any(Buffer) });
    expect(() => readCrl(pem, v(pki.ec.der), v(impostor))).toThrow(expect.objectContaining({ code: 'crlBadResponse', params: { detail: 'not signed by the issuer' } }));
    expect(() => readCrl(pem, v(pki.tsa.der), v(pki.root.der))).toThrow(expect.objectContaining({ code: 'crlBadResponse', params: { detail: 'issued by another CA' } }));
    expect(() => readCrl(Buffer.from('garbage'), v(pki.ec.der), v(pki.intermediate.der))).toThrow(expect.objectContaining({ code: 'crlBadResponse' }));
  });
});

describe('one path builder', () => {
  it('orders a signer chain by signature, not by name: a same-named impostor CA is passed over', () => {
    // The impostor's subject is byte for byte the issuing CA's (what a name match looks at).
    const nameDer = (d: Buffer) => Buffer.from(parseCertificate(d).subject.toSchema().toBER());
    expect(nameDer(impostor).equals(nameDer(pki.intermediate.der))).toBe(true);
    expect(signerChain(pki.rsa.der, [impostor, pki.root.der, pki.intermediate.der])).toEqual([pki.intermediate.der, pki.root.der]);
    expect(signerChain(pki.rsa.der, [impostor])).toEqual([]);
    expect(signerChain(pki.root.der, [pki.root.der, pki.intermediate.der])).toEqual([]);
  });

  it('builds the same path to an anchor, and none through the impostor', async () => {
    const viaPool = await buildChain({ leaf: v(pki.rsa.der), pool: [impostor, pki.intermediate.der], anchors: [pki.root.der], offline: true });
    expect(viaPool.path?.map((c) => c.der)).toEqual([pki.rsa.der, pki.intermediate.der, pki.root.der]);
    expect((await buildChain({ leaf: v(pki.rsa.der), pool: [impostor], anchors: [pki.root.der], offline: true })).path).toBeNull();
  });
});

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const newKeys = () => webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
const validity = () => ({ notBefore: new Date(Date.now() - 86400_000), notAfter: new Date(Date.now() + 86400_000) });
const caExtensions = () => [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)];

describe('path building stays bounded on a hostile pool', () => {
  // The pool comes from the document or package being checked. Three CA certificates at each of
  // ten levels, sharing the level's name and key, each issued every certificate below: the
  // depth-first search tried all 3^10 paths (32 s here; 5 per level, hours). A hang check with a
  // wide margin: it now gives up within a second.
  it('gives up on a pool of look-alike CAs instead of trying every path, and still finds a real one', async () => {
    const levels = 10;
    const keys = await Promise.all(Array.from({ length: levels + 2 }, newKeys));
    const pool: Buffer[] = [];
    for (let level = 1; level <= levels; level++) {
      for (let j = 0; j < 3; j++) {
        const c = await x509.X509CertificateGenerator.create({
          serialNumber: `0${level}0${j}`, subject: `CN=CA ${level}`, issuer: `CN=CA ${level + 1}`, ...validity(),
          publicKey: keys[level]!.publicKey, signingKey: keys[level + 1]!.privateKey, signingAlgorithm: EC, extensions: caExtensions(),
        });
        pool.push(Buffer.from(c.rawData));
      }
    }
    const leaf = await x509.X509CertificateGenerator.create({ serialNumber: '01', subject: 'CN=Leaf', issuer: 'CN=CA 1', ...validity(), publicKey: keys[0]!.publicKey, signingKey: keys[1]!.privateKey, signingAlgorithm: EC });
    const started = performance.now();
    expect((await buildChain({ leaf: v(Buffer.from(leaf.rawData)), pool, anchors: [pki.root.der], offline: true })).path).toBeNull();
    expect(signerChain(Buffer.from(leaf.rawData), pool).length).toBeLessThanOrEqual(levels);
    expect(performance.now() - started).toBeLessThan(10_000);
    // The same pool beside a real chain does not hide it.
    const real = await buildChain({ leaf: v(pki.rsa.der), pool: [...pool, impostor, pki.intermediate.der], anchors: [pki.root.der], offline: true });
    expect(real.path?.map((c) => c.der)).toEqual([pki.rsa.der, pki.intermediate.der, pki.root.der]);
  }, 60_000);

  it('asks at most 8 AIA URLs for one path, whatever the certificates name', async () => {
    let asked = 0;
    const server = createServer((_req, res) => {
      asked++;
      res.end('not a certificate');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const keys = await newKeys();
      const leaf = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: '02', name: 'CN=Many AIA', ...validity(), keys, signingAlgorithm: EC,
        extensions: [new x509.AuthorityInfoAccessExtension({ caIssuers: Array.from({ length: 30 }, (_, i) => new x509.GeneralName('url', `${base}/ca-${i}.cer`)) })],
      });
      expect((await buildChain({ leaf: v(Buffer.from(leaf.rawData)), pool: [], anchors: [pki.root.der], offline: false })).path).toBeNull();
      expect(asked).toBe(8);
    } finally {
      server.close();
    }
  }, 60_000);
});
