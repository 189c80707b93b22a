/** Issue 3: login, PIN errors and signing through the bridge, verified with node:crypto. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate, constants, verify } from 'node:crypto';
import { TokenManager } from '../../../native/token-manager.js';
import { SOFTHSM_MODULE } from '../../bed/softhsm.js';
import { createTokenBed, LABEL_A, LABEL_B, PIN_A, PIN_B, type TokenBed } from './fixture.js';
import type { KysoError } from '../../../main/api/errors.js';

let bed: TokenBed;
let tm: TokenManager;
const A = { module: SOFTHSM_MODULE, label: LABEL_A };
const B = { module: SOFTHSM_MODULE, label: LABEL_B };

beforeAll(async () => {
  bed = await createTokenBed();
  tm = new TokenManager({ modules: [SOFTHSM_MODULE], env: bed.hsm.env });
});

afterAll(async () => {
  await tm?.close();
  bed?.cleanup();
});

const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: KysoError) => e.code);

// Real bridge processes: generous per-test time on a loaded 2-core machine (no timing assertions).
describe('token login and signing (SoftHSM2)', { timeout: 180_000 }, () => {
  it('signing without login is refused with tokenNotLoggedIn', async () => {
    const signer = await tm.getSigner(A, { keyId: '01' });
    expect(await codeOf(signer.sign(Buffer.from('x'), 'SHA-256', 'RSA-PKCS1'))).toBe('tokenNotLoggedIn');
  });

  it('a wrong PIN gives a clear error with the count-low state, and is not retried', async () => {
    const err = await tm.login(B, '000000').then(() => undefined, (e: KysoError) => e);
    expect(err?.code).toBe('tokenPinIncorrectCountLow');
    expect(err?.params).toMatchObject({ countLow: true, finalTry: false, locked: false });
    expect(await tm.isLoggedIn(B)).toBe(false);
    const b = (await tm.list())[0]!.tokens.find((t) => t.label === LABEL_B)!;
    expect(b.flags.userPinCountLow).toBe(true);
    // The right PIN still works (one wrong try did not lock) and clears the warning.
    await tm.login(B, PIN_B);
    expect(await tm.isLoggedIn(B)).toBe(true);
    await tm.logout(B);
    expect(await tm.isLoggedIn(B)).toBe(false);
  });

  it('1,000 RSA PKCS#1 v1.5 signatures through the bridge verify against the certificate', async () => {
    await tm.login(A, PIN_A);
    const signer = await tm.getSigner(A, { keyId: '01' });
    expect(signer.keyType).toBe('RSA');
    expect(signer.schemes).toEqual(['RSA-PKCS1', 'RSA-PSS']);
    const pub = new X509Certificate(Buffer.from(signer.certificate)).publicKey;
    expect(new X509Certificate(bed.certPem['01']!).fingerprint256).toBe(new X509Certificate(Buffer.from(signer.certificate)).fingerprint256);
    const hashes = ['SHA-256', 'SHA-384', 'SHA-512'] as const;
    let ok = 0;
    for (let i = 0; i < 1000; i++) {
      const data = Buffer.from(`văn bản số ${i}`);
      const hash = hashes[i % 3]!;
      const sig = await signer.sign(data, hash, 'RSA-PKCS1');
      if (verify(hash.replace('-', '').toLowerCase(), data, pub, sig)) ok++;
    }
    expect(ok).toBe(1000);
  });

  it('RSA-PSS and ECDSA P-256 signatures verify; ECDSA comes out as DER', async () => {
    const rsa = await tm.getSigner(A, { keyId: '01' });
    const data = Buffer.from('Quyết định số 12/QĐ-UBND');
    const pub = new X509Certificate(Buffer.from(rsa.certificate)).publicKey;
    for (const [hash, salt] of [['SHA-256', 32], ['SHA-512', 64]] as const) {
      const sig = await rsa.sign(data, hash, 'RSA-PSS');
      expect(verify(hash.replace('-', '').toLowerCase(), data, { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt }, sig)).toBe(true);
    }
    const ec = await tm.getSigner(A, { keyId: '02' });
    expect(ec.keyType).toBe('EC');
    expect(ec.schemes).toEqual(['ECDSA']);
    const ecPub = new X509Certificate(Buffer.from(ec.certificate)).publicKey;
    for (const hash of ['SHA-256', 'SHA-384'] as const) {
      const sig = await ec.sign(data, hash, 'ECDSA');
      expect(sig[0]).toBe(0x30);
      expect(verify(hash.replace('-', '').toLowerCase(), data, { key: ecPub, dsaEncoding: 'der' }, sig)).toBe(true);
    }
  });

  it('selecting without a key id picks a certificate with a private key; the orphan has none', async () => {
    const first = await tm.getSigner(A);
    expect(['RSA', 'EC']).toContain(first.keyType);
    expect(await codeOf(tm.getSigner(A, { keyId: '0f' }))).toBe('tokenNoPrivateKey');
    expect(await codeOf(tm.getSigner(A, { keyId: 'ee' }))).toBe('tokenCertificateNotFound');
    expect(await codeOf(tm.getSigner({ module: SOFTHSM_MODULE, label: 'No Such Token' }))).toBe('tokenNotFound');
  });

  it('explicit logout ends the session: signing is refused again', async () => {
    const signer = await tm.getSigner(A, { keyId: '01' });
    await tm.logout(A);
    expect(await codeOf(signer.sign(Buffer.from('x'), 'SHA-256', 'RSA-PKCS1'))).toBe('tokenNotLoggedIn');
  });

  it('the idle timeout logs out after inactivity so a later batch needs the PIN again', async () => {
    const short = new TokenManager({ modules: [SOFTHSM_MODULE], env: bed.hsm.env, idleLogoutMs: 50 });
    try {
      const signer = await short.getSigner(A, { keyId: '01' });
      await short.login(A, PIN_A);
      // Wait for the logout the idle timer sends (event-driven: poll the bridge state).
      await expect.poll(async () => (await short.list())[0]!.tokens.find((t) => t.label === LABEL_A)!.loggedIn, { timeout: 10_000, interval: 100 }).toBe(false);
      expect(await codeOf(signer.sign(Buffer.from('x'), 'SHA-256', 'RSA-PKCS1'))).toBe('tokenNotLoggedIn');
    } finally {
      await short.close();
    }
  });
});
