/** Mechanism choice, DigestInfo and ECDSA DER conversion of the token signer (no token needed). */
import { describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, sign, verify, privateEncrypt } from 'node:crypto';
import { digestInfo, ecdsaRawToDer, planSignature, schemesFor, tokenSigner } from '../../../native/token-signer.js';
import type { MechanismName } from '../../../native/bridge/protocol.js';

describe('token signer planning', () => {
  const data = Buffer.from('tờ trình');

  it('prefers hashing here with a raw mechanism, falls back to hash-and-sign mechanisms', () => {
    const raw = planSignature(data, 'SHA-256', 'RSA-PKCS1', ['RSA_PKCS', 'SHA256_RSA_PKCS']);
    expect(raw.mechanism).toBe('RSA_PKCS');
    expect(raw.data).toEqual(digestInfo('SHA-256', createHash('sha256').update(data).digest()));
    const hs = planSignature(data, 'SHA-384', 'RSA-PKCS1', ['SHA384_RSA_PKCS']);
    expect(hs).toEqual({ mechanism: 'SHA384_RSA_PKCS', data });
    expect(planSignature(data, 'SHA-512', 'RSA-PSS', ['SHA512_RSA_PKCS_PSS']).pss).toEqual({ hash: 'SHA-512', saltLength: 64 });
    expect(planSignature(data, 'SHA-256', 'ECDSA', ['ECDSA_SHA256']).mechanism).toBe('ECDSA_SHA256');
    expect(() => planSignature(data, 'SHA-384', 'ECDSA', ['ECDSA_SHA256'])).toThrow(/tokenMechanismUnsupported/);
  });

  it('derives schemes from the key type and the mechanism list', () => {
    expect(schemesFor('RSA', ['RSA_PKCS'])).toEqual(['RSA-PKCS1']);
    expect(schemesFor('RSA', ['SHA256_RSA_PKCS', 'SHA256_RSA_PKCS_PSS'])).toEqual(['RSA-PKCS1', 'RSA-PSS']);
    expect(schemesFor('EC', ['ECDSA_SHA384'])).toEqual(['ECDSA']);
    expect(schemesFor('EC', ['RSA_PKCS'])).toEqual([]);
  });

  it('DigestInfo + raw RSA equals a PKCS#1 v1.5 signature (checked by node:crypto)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const hash of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
      const di = digestInfo(hash, createHash(hash.replace('-', '').toLowerCase()).update(data).digest());
      // Raw RSA private operation on the DigestInfo, like CKM_RSA_PKCS does on a token.
      const sig = privateEncrypt(privateKey, di);
      expect(verify(hash.replace('-', '').toLowerCase(), data, publicKey, sig)).toBe(true);
    }
  });

  it('converts r||s to DER that node:crypto verifies, including high-bit and leading-zero values', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 50; i++) {
      const msg = Buffer.from(`m${i}`);
      const rs = sign('sha256', msg, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = ecdsaRawToDer(rs);
      expect(verify('sha256', msg, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
    }
    // The signer wraps the bridge output the same way.
    const signer = tokenSigner({
      certificate: new Uint8Array(),
      keyType: 'EC',
      mechanisms: ['ECDSA_SHA256'] satisfies MechanismName[],
      rawSign: async (plan) => sign('sha256', plan.data, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
    });
    const sig = await signer.sign(data, 'SHA-256', 'ECDSA');
    expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, sig)).toBe(true);
  });
});
