import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import { createDetachedCms, parseSignedData, signatureValue } from '../../../main/signing/cms.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { HashAlgorithm, SignatureScheme } from '../../../main/pki/signer.js';
import { run } from '../../bed/run.js';
import { createLocalPki, type LocalPki } from '../../integration/signing/local-pki.js';

let dir: string;
let pki: LocalPki;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cms-'));
  pki = await createLocalPki(path.join(dir, 'pki'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases: Array<[string, 'rsa' | 'ec', SignatureScheme, HashAlgorithm]> = [
  ['RSA PKCS#1 v1.5 SHA-256', 'rsa', 'RSA-PKCS1', 'SHA-256'],
  ['RSA PKCS#1 v1.5 SHA-512', 'rsa', 'RSA-PKCS1', 'SHA-512'],
  ['RSA-PSS SHA-256', 'rsa', 'RSA-PSS', 'SHA-256'],
  ['RSA-PSS SHA-384', 'rsa', 'RSA-PSS', 'SHA-384'],
  ['ECDSA SHA-256', 'ec', 'ECDSA', 'SHA-256'],
  ['ECDSA SHA-384', 'ec', 'ECDSA', 'SHA-384'],
];

describe('createDetachedCms', () => {
  it.each(cases)('%s verifies with openssl cms against the root', async (_name, kind, scheme, hash) => {
    const content = Buffer.from(`document bytes for ${kind} ${scheme} ${hash}\n`.repeat(100));
    const digest = createHash(hash.replace('-', '').toLowerCase()).update(content).digest();
    const id = pki[kind];
    const signer = softwareSigner(readFileSync(id.key), id.der, [pki.intermediate.der]);
    const cms = await createDetachedCms(signer, digest, { hash, scheme });
    const cmsPath = path.join(dir, `${kind}-${scheme}-${hash}.p7s`);
    const contentPath = `${cmsPath}.data`;
    writeFileSync(cmsPath, cms);
    writeFileSync(contentPath, content);
    const { stderr } = await run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cmsPath, '-content', contentPath, '-CAfile', pki.root.cert, '-purpose', 'any', '-out', '/dev/null']);
    expect(stderr).toContain('Verification successful');
    // A different content must fail: the digest really binds the document.
    writeFileSync(contentPath, Buffer.concat([content, Buffer.from('x')]));
    await expect(run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cmsPath, '-content', contentPath, '-CAfile', pki.root.cert, '-purpose', 'any', '-out', '/dev/null'])).rejects.toThrow(/verification failure|digest failure/i);
  });

  it('has content-type, message-digest, signing-certificate-v2, no signing-time, and the chain', async () => {
    const signer = softwareSigner(readFileSync(pki.rsa.key), pki.rsa.der, [pki.intermediate.der]);
    const digest = createHash('sha256').update('abc').digest();
    const cms = await createDetachedCms(signer, digest);
    const sd = parseSignedData(cms);
    const si = sd.signerInfos[0]!;
    const types = si.signedAttrs!.attributes.map((a) => a.type).sort();
    expect(types).toEqual(['1.2.840.113549.1.9.16.2.47', '1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4'].sort());
    expect(types).not.toContain('1.2.840.113549.1.9.5');
    expect(sd.certificates).toHaveLength(2);
    expect(sd.encapContentInfo.eContent).toBeUndefined();
    // ESSCertIDv2 certHash (sha256 default, algorithm omitted) is the hash of the signer cert.
    const scv2 = si.signedAttrs!.attributes.find((a) => a.type === '1.2.840.113549.1.9.16.2.47')!.values[0] as asn1js.Sequence;
    const essCertId = ((scv2.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence).valueBlock.value;
    const certHash = Buffer.from((essCertId[0] as asn1js.OctetString).valueBlock.valueHexView);
    expect(certHash.equals(createHash('sha256').update(pki.rsa.der).digest())).toBe(true);
    expect(signatureValue(cms)).toHaveLength(256);
  });

  it('refuses a scheme the signer does not support', async () => {
    const signer = softwareSigner(readFileSync(pki.ec.key), pki.ec.der);
    await expect(createDetachedCms(signer, Buffer.alloc(32), { scheme: 'RSA-PSS' })).rejects.toMatchObject({ code: 'signSchemeUnsupported' });
  });
});
