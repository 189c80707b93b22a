/**
 * What IT staff see (issue 14, point 15), against real SoftHSM2 tokens and the bed's OCSP
 * responder: the inventory flags the revoked certificate from OCSP (and says "unknown" when
 * no responder answers), keys are listed to pick from, and a module is named by its vendor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenManager } from '../../../native/token-manager.js';
import { trustAdd } from '../../../main/pki/trust-store.js';
import { moduleVendor } from '../../../main/services/module-vendor.js';
import { revocationKey, tokenKeys, tokenRevocations } from '../../../main/services/token-objects.js';
import { createTestBed, KEY_IDS, OFFICIAL_TOKEN, type TestBed } from '../../bed/index.js';

let bed: TestBed;
let tm: TokenManager;
const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-it-'));

beforeAll(async () => {
  bed = await createTestBed();
  trustAdd(home, bed.certs.root.der);
  tm = new TokenManager({ modules: [bed.module], env: bed.env });
}, 180_000);
afterAll(async () => {
  await tm?.close();
  await bed?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('IT inventory', { timeout: 120_000 }, () => {
  it('flags the revoked certificate from OCSP, the others good; unknown when OCSP and CRL are down', async () => {
    const token = (await tm.list()).find((m) => m.path === bed.module)!.tokens.find((t) => t.label === OFFICIAL_TOKEN.label)!;
    const rev = await tokenRevocations(tm, home);
    const of = (serial: string) => rev.get(revocationKey(bed.module, token.serial, serial));
    expect(of(bed.certs.revokedToken.serial)).toMatchObject({ status: 'revoked', source: 'ocsp' });
    expect(of(bed.certs.revokedToken.serial)!.revokedAt).toMatch(/^\d{4}-/);
    expect(of(bed.certs.official.serial)).toMatchObject({ status: 'good', source: 'ocsp' });
    bed.server.setDown('ocsp', true);
    bed.server.setDown('crl', true);
    try {
      const down = await tokenRevocations(tm, home);
      expect(down.get(revocationKey(bed.module, token.serial, bed.certs.official.serial))).toMatchObject({ status: 'unknown' });
    } finally {
      bed.server.setDown('ocsp', false);
      bed.server.setDown('crl', false);
    }
  });

  it('lists the key pairs with their certificates to pick from', async () => {
    const keys = await tokenKeys(tm, { module: bed.module, label: OFFICIAL_TOKEN.label });
    const official = keys.find((k) => k.keyId === KEY_IDS.official)!;
    expect(official.subject).toContain('Nguyễn Văn An');
    expect(keys.map((k) => k.keyId)).toContain(KEY_IDS.revokedToken);
  });

  it('names a module by its vendor from the catalogue, else by what the library says', () => {
    expect(moduleVendor(bed.module, 'SoftHSM')).toBe('SoftHSM2 (test token)');
    expect(moduleVendor('C:\\Windows\\System32\\vnptca_p11_v8.dll')).toBe('VNPT-CA');
    expect(moduleVendor('/opt/other/libx.so', 'Acme Corp  ')).toBe('Acme Corp');
  });
});
