/** Issue 3: discovery and inventory against SoftHSM2 in real bridge processes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { TokenManager } from '../../../native/token-manager.js';
import { runCli } from '../../../main/cli/run.js';
import { SOFTHSM_MODULE } from '../../bed/softhsm.js';
import { createTokenBed, LABEL_A, LABEL_B, PIN_A, type TokenBed } from './fixture.js';
import { errorText } from '../../../resources/locales/index.js';

let bed: TokenBed;
let tm: TokenManager;
let notPkcs11: string;

beforeAll(async () => {
  bed = await createTokenBed();
  notPkcs11 = path.join(bed.dir, 'not-a-module.so');
  writeFileSync(notPkcs11, 'this is not a shared library');
  tm = new TokenManager({ modules: [SOFTHSM_MODULE, '/nonexistent/libvendor.so', notPkcs11, '/lib/x86_64-linux-gnu/libz.so.1'], env: bed.hsm.env });
});

afterAll(async () => {
  await tm?.close();
  bed?.cleanup();
});

// Real bridge processes: generous per-test time on a loaded 2-core machine (no timing assertions).
describe('token inventory (SoftHSM2)', { timeout: 180_000 }, () => {
  it('lists two tokens on two slots with their certificates; bad modules report clear errors', async () => {
    const report = await tm.list();
    const soft = report.find((m) => m.path === SOFTHSM_MODULE)!;
    expect(soft.ok).toBe(true);
    expect(soft.manufacturer).toBe('SoftHSM');
    expect(soft.libraryVersion).toMatch(/^2\.\d+$/);
    const a = soft.tokens.find((t) => t.label === LABEL_A)!;
    const b = soft.tokens.find((t) => t.label === LABEL_B)!;
    expect(a.slotId).not.toBe(b.slotId);
    expect(a.flags).toMatchObject({ tokenInitialized: true, loginRequired: true, userPinInitialized: true, userPinLocked: false });
    expect(a.certificates.map((c) => c.keyId).sort()).toEqual(['01', '02', '0f']);
    expect(b.certificates.map((c) => c.keyId)).toEqual(['11']);

    const rsa = a.certificates.find((c) => c.keyId === '01')!;
    const oracle = new X509Certificate(bed.certPem['01']!);
    expect(rsa.serial.toUpperCase()).toBe(oracle.serialNumber.toUpperCase());
    expect(rsa.subject).toContain('CN=Nguyễn Văn An');
    expect(rsa.issuer).toContain('CN=Kyso Test Issuing CA');
    expect(new Date(rsa.notAfter).getTime()).toBe(new Date(oracle.validTo).getTime());
    expect(rsa.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(rsa.extendedKeyUsage).toEqual(['clientAuth', 'emailProtection']);
    expect(rsa.keyType).toBe('RSA');
    expect(rsa.hasPrivateKey).toBe(true);
    expect(a.certificates.find((c) => c.keyId === '02')!.keyType).toBe('EC');
    expect(a.certificates.find((c) => c.keyId === '0f')!.hasPrivateKey).toBe(false);

    const missing = report.find((m) => m.path === '/nonexistent/libvendor.so')!;
    expect(missing.ok).toBe(false);
    expect(missing.error?.code).toBe('tokenModuleNotFound');
    expect(missing.error?.message).toContain('/nonexistent/libvendor.so');
    // The parameters travel with the code, so each caller can say it in its user's language.
    expect(errorText('vi', missing.error!)).toBe('Không tìm thấy mô-đun PKCS#11: /nonexistent/libvendor.so');
    for (const p of [notPkcs11, '/lib/x86_64-linux-gnu/libz.so.1']) {
      const bad = report.find((m) => m.path === p)!;
      expect(bad.ok).toBe(false);
      expect(bad.error?.code).toBe('tokenModuleLoadFailed');
    }
  });

  it('after login, private keys are matched by CKA_ID (the orphan certificate still has none)', async () => {
    await tm.login({ module: SOFTHSM_MODULE, label: LABEL_A }, PIN_A);
    const soft = (await tm.list()).find((m) => m.path === SOFTHSM_MODULE)!;
    const a = soft.tokens.find((t) => t.label === LABEL_A)!;
    expect(a.loggedIn).toBe(true);
    expect(Object.fromEntries(a.certificates.map((c) => [c.keyId, c.hasPrivateKey]))).toEqual({ '01': true, '02': true, '0f': false });
    await tm.logout({ module: SOFTHSM_MODULE, label: LABEL_A });
  });

  it('`kyso token list` says in Vietnamese why a module cannot be used', async () => {
    let out = '';
    await runCli(['token', 'list', '--module', '/nonexistent/x.so', '--lang', 'vi'], { env: { ...process.env, ...bed.hsm.env }, out: (s) => (out += s), err: (s) => (out += s), isTty: false });
    expect(out).toContain('Không tìm thấy mô-đun PKCS#11: /nonexistent/x.so');
  });

  it('`kyso token list --json` prints modules, tokens and certificates in the documented shape', async () => {
    let out = '';
    let err = '';
    const status = await runCli(['token', 'list', '--module', SOFTHSM_MODULE, '--module', '/nonexistent/x.so', '--json'], {
      env: { ...process.env, ...bed.hsm.env },
      out: (s) => (out += s),
      err: (s) => (err += s),
      isTty: false,
    });
    expect(err).toBe('');
    expect(status).toBe(0);
    const json = JSON.parse(out) as { modules: Array<{ path: string; manufacturer: string | null; error?: { code: string }; tokens: Array<{ label: string; serial: string; flags: Record<string, boolean>; certificates: Array<Record<string, unknown>> }> }> };
    expect(json.modules.map((m) => m.path)).toEqual([SOFTHSM_MODULE, '/nonexistent/x.so']);
    expect(json.modules[1]!.error?.code).toBe('tokenModuleNotFound');
    const a = json.modules[0]!.tokens.find((t) => t.label === LABEL_A)!;
    expect(a.serial).toMatch(/^[0-9a-f]+$/);
    expect(a.flags.loginRequired).toBe(true);
    const cert = a.certificates.find((c) => c.keyId === '01')!;
    for (const k of ['subject', 'issuer', 'serial', 'notBefore', 'notAfter', 'keyId', 'hasPrivateKey']) expect(cert).toHaveProperty(k);
    expect(cert.hasPrivateKey).toBe(true);
  });

  it('`kyso token list` text output names the module and warns about nothing expiring', async () => {
    let out = '';
    const status = await runCli(['token', 'list', '--module', SOFTHSM_MODULE, '--lang', 'vi'], { env: { ...process.env, ...bed.hsm.env }, out: (s) => (out += s), err: () => {}, isTty: false });
    expect(status).toBe(0);
    expect(out).toContain(`Mô-đun: ${SOFTHSM_MODULE}`);
    expect(out).toContain(`Token "${LABEL_B}"`);
    expect(out).toContain('Chứng thư: ');
    expect(out).not.toContain('CẢNH BÁO');
  });
});

describe('token inventory: concurrent first calls', { timeout: 180_000 }, () => {
  it('answers concurrent listings of a fresh manager while the bridge is still loading the module', async () => {
    // Regression: a second caller used to get the bridge process before its module info was
    // loaded and failed with "Cannot read properties of undefined (reading 'manufacturer')".
    const fresh = new TokenManager({ modules: [SOFTHSM_MODULE], env: bed.hsm.env });
    try {
      const reports = await Promise.all([fresh.list(), fresh.list(), fresh.list()]);
      for (const report of reports) {
        const soft = report.find((m) => m.path === SOFTHSM_MODULE)!;
        expect(soft.error).toBeUndefined();
        expect(soft.manufacturer).toBe('SoftHSM');
        expect(soft.tokens.map((t) => t.label)).toContain(LABEL_A);
      }
    } finally {
      await fresh.close();
    }
  });
});
