/**
 * Demo mode's bed: one "Kyso Demo" token with both keys, a "Kyso Demo Revoked" token (its
 * label starts with the other's, which pkcs11-tool's --token-label would confuse), the root
 * trusted in KYSO_HOME, and everything reused, not recreated, on the next start.
 */
import { X509Certificate, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_REVOKED_TOKEN, DEMO_TOKEN, setupDemo } from '../../bed/demo.js';
import { run } from '../../bed/run.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-demo-home-'));

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

/** CKA_IDs of the certificate objects on a token. */
async function certIds(bed: Awaited<ReturnType<typeof setupDemo>>, label: string): Promise<string[]> {
  const slot = await bed.softhsm.slotId(label);
  const { stdout } = await run('pkcs11-tool', ['--module', bed.module, '--slot', slot, '--list-objects', '--type', 'cert'], { env: bed.env });
  return [...stdout.toString().matchAll(/ID:\s+([0-9a-f]+)/g)].map((m) => m[1] ?? '').sort();
}

describe('demo bed', () => {
  it('puts official and seal keys on "Kyso Demo", the revoked one on its own token, and trusts the root', async () => {
    const bed = await setupDemo(home, 0);
    try {
      expect(bed.certs.official.token?.label).toBe(DEMO_TOKEN.label);
      expect(bed.certs.seal.token?.label).toBe(DEMO_TOKEN.label);
      expect(await certIds(bed, DEMO_TOKEN.label)).toEqual(['01', '02']);
      expect(await certIds(bed, DEMO_REVOKED_TOKEN.label)).toEqual(['03']);
      const data = randomBytes(64);
      const sig = await bed.softhsm.sign(DEMO_TOKEN.label, DEMO_TOKEN.pin, '02', 'SHA256-RSA-PKCS', data);
      expect(verify('sha256', data, new X509Certificate(bed.certs.seal.der).publicKey, sig)).toBe(true);
      const trusted = readdirSync(path.join(home, 'trust'));
      expect(trusted).toEqual([`${new X509Certificate(bed.certs.root.der).fingerprint256.replace(/:/g, '').toLowerCase()}.pem`]);
    } finally {
      await bed.close();
    }
  });

  it('reopens the persisted bed on the same port with the same certificates, and OCSP still answers', async () => {
    const first = await setupDemo(home, 0);
    const serials = Object.fromEntries(Object.entries(first.certs).map(([k, c]) => [k, c.serial]));
    const url = first.urls.base;
    await first.close();
    const again = await setupDemo(home, 0);
    try {
      expect(again.urls.base).toBe(url);
      expect(Object.fromEntries(Object.entries(again.certs).map(([k, c]) => [k, c.serial]))).toEqual(serials);
      const { stdout } = await run('openssl', ['ocsp', '-issuer', again.certs.issuing.certPath, '-cert', again.certs.revokedToken.certPath,
        '-url', again.urls.ocsp, '-CAfile', again.certs.root.certPath, '-verify_other', again.chainPath]);
      expect(stdout.toString()).toMatch(/revokedToken\.pem: revoked/);
    } finally {
      await again.close();
    }
  });
});
