/** provision:* through the real core (what the Tokens page calls), on a fresh SoftHSM2 token. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore, type Core } from '../../../main/services/core.js';
import { browserShellHandlers } from '../../../main/host/shell-fallback.js';
import { SoftHsm, SOFTHSM_MODULE } from '../../bed/softhsm.js';
import { run } from '../../bed/run.js';

let dir: string;
let core: Core;
const token = { module: SOFTHSM_MODULE, label: 'UBND xa' };

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-prov-contract-'));
  const hsm = new SoftHsm(path.join(dir, 'hsm'));
  process.env.SOFTHSM2_CONF = hsm.conf;
  core = await createCore({ host: 'browser', home: path.join(dir, 'home'), lang: 'en', shell: browserShellHandlers() });
});

afterAll(async () => {
  await core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const value = <T>(r: unknown): T => {
  expect(r).toMatchObject({ ok: true });
  return (r as { value: T }).value;
};

// Real bridge processes: generous per-test time on a loaded 2-core machine (no timing assertions).
describe('provision contract', { timeout: 180_000 }, () => {
  it('init -> login -> keygen -> CSR preview and save -> inventory; errors carry no PIN', async () => {
    value(await core.call('provision:init', { token: { module: SOFTHSM_MODULE, label: '' }, label: token.label, soPin: '10293847', userPin: '564738' }));
    const wrongSo = await core.call('provision:setPin', { token, soPin: '99999999', newPin: '564738' });
    expect(wrongSo).toMatchObject({ ok: false, error: { code: 'provisionSoPinIncorrect', message: 'Wrong SO PIN.' } });
    expect(JSON.stringify(wrongSo)).not.toContain('99999999');
    value(await core.call('token:login', { token, pin: '564738' }));
    const key = value<{ keyId: string }>(await core.call('provision:keygen', { token, type: 'ec:p256', label: 'seal' }));
    const preview = value<{ pem: string; savedTo: string | null; subject: string[][] }>(await core.call('provision:csr', { token, key: { label: 'seal' }, subject: 'CN=UBND xã Tân Lập,O=UBND huyện Bắc Hà,C=VN' }));
    expect(preview.savedTo).toBeNull();
    expect(preview.subject[0]).toEqual(['CN', 'UBND xã Tân Lập']);
    const savePath = path.join(dir, 'seal.csr');
    value(await core.call('provision:csr', { token, key: { keyId: key.keyId }, subject: 'CN=UBND xã Tân Lập,C=VN', savePath }));
    const { stdout, stderr } = await run('openssl', ['req', '-in', savePath, '-noout', '-verify']);
    expect(stdout.toString() + stderr).toMatch(/verify OK/i);
    expect(readFileSync(savePath, 'utf8')).toContain('BEGIN CERTIFICATE REQUEST');
    const bad = await core.call('provision:importCert', { token, pem: 'garbage' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'provisionCertUnreadable' } });
    const inv = value<{ certificates: unknown[] }>(await core.call('provision:inventory', {}));
    expect(inv.certificates).toEqual([]);
    const exp = value<{ count: number }>(await core.call('provision:exportInventory', { format: 'csv', path: path.join(dir, 'inv.csv') }));
    expect(exp.count).toBe(0);
    expect(readFileSync(path.join(dir, 'inv.csv'), 'utf8')).toMatch(/^\uFEFFmodule,token,serial,keyId/);
  });
});
