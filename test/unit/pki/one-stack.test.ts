/**
 * The one PKI stack checks what signing's copies once took on trust (issue 16 item 1): the
 * B-LT DSS, validation and the server now read OCSP answers and CRLs through ocsp.ts / crl.ts,
 * and order chains through chain.ts. OpenSSL makes the PKI, the OCSP answers (`openssl ocsp`,
 * which echoes the request's nonce) and the CRLs (`openssl ca -gencrl`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
