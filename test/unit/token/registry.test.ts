/** The seen-tokens registry: absent tokens stay in the inventory with their last-seen time. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TokenRegistry } from '../../../native/token-registry.js';
import { inventoryCsv, type InventoryRow } from '../../../native/provisioning.js';

const row = (token: string, keyId: string, notAfter: string): InventoryRow => ({
  module: '/m.so', token, serial: `sn-${token}`, keyId, subject: `CN=${token}, O=Sở "A"`, issuer: 'CN=CA', certSerial: '01', notAfter, daysLeft: 0, expiresSoon: false, hasPrivateKey: true,
});

describe('TokenRegistry', () => {
  it('records present tokens and keeps absent ones with present=false', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-reg-'));
    try {
      const reg = new TokenRegistry(home);
      const t0 = new Date('2026-01-01T00:00:00Z');
      const first = reg.update([row('A', '01', '2026-01-20T00:00:00Z'), row('B', '02', '2027-01-01T00:00:00Z')], t0);
      expect(first.map((r) => [r.token, r.present])).toEqual([['A', true], ['B', true]]);
      const t1 = new Date('2026-01-05T00:00:00Z');
      const second = reg.update([row('B', '02', '2027-01-01T00:00:00Z')], t1);
      const a = second.find((r) => r.token === 'A')!;
      expect(a).toMatchObject({ present: false, lastSeen: t0.toISOString(), daysLeft: 15, expiresSoon: true });
      expect(second.find((r) => r.token === 'B')!.lastSeen).toBe(t1.toISOString());
      const file = readFileSync(reg.file, 'utf8');
      expect(JSON.parse(file).tokens).toHaveLength(2);
      const csv = inventoryCsv(second);
      expect(csv).toContain('"CN=A, O=Sở ""A"""');
      expect(csv.split('\r\n').filter(Boolean)).toHaveLength(3);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
