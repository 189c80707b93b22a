/**
 * `kyso server user add` vets the certificate it binds: an expired one, or one that does not
 * chain to an anchor the server trusts, would never log in, so it is refused with the reason
 * unless --force, which binds it with a warning (and notes it in the audit trail). A good
 * certificate (its intermediate fetched from its AIA) is bound without a word. Before the fix
 * all were bound silently and refused only at login.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';
import { openRepo } from '../../../server/store.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { testSigner } from '../../unit/exchange-edxml/keys.js';
import { ORGS } from './fixtures.js';

let bed: TestBed;
let dir: string;
let data: string;
let selfSigned: string;

beforeAll(async () => {
  bed = await createTestBed();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-user-add-'));
  data = path.join(dir, 'data');
  selfSigned = path.join(dir, 'self-signed.der');
  writeFileSync(selfSigned, (await testSigner('RSA', 'Tự ký')).certificate);
}, 180_000);
afterAll(async () => {
  await bed?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function kyso(args: string[], lang = 'en'): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['--lang', lang, ...args], { env: { ...process.env, KYSO_HOME: path.join(dir, 'home') }, out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, out, err };
}

it('refuses expired and untrusted certificates without --force, binds them with a warning with it', { timeout: 60_000 }, async () => {
  expect((await kyso(['server', 'org', 'add', '--data', data, '--code', ORGS.A.code, '--name', ORGS.A.name])).code).toBe(0);
  const add = (cert: string, ...extra: string[]) => kyso(['server', 'user', 'add', '--data', data, '--org', ORGS.A.code, '--cert', cert, '--trust', bed.certs.root.certPath, ...extra]);

  const expired = await add(bed.certs.expired.certPath);
  expect(expired.code).not.toBe(0);
  expect(expired.err).toContain('is expired or not yet valid');
  expect(expired.err).toContain('--force');
  const untrusted = await add(selfSigned);
  expect(untrusted.code).not.toBe(0);
  expect(untrusted.err).toContain('does not chain to any anchor the server trusts');
  // Without --trust (and nothing in DATA/trust) even a good certificate has no anchor to chain to.
  const noAnchor = await kyso(['server', 'user', 'add', '--data', data, '--org', ORGS.A.code, '--cert', bed.certs.official.certPath], 'vi');
  expect(noAnchor.err).toContain('không dẫn tới gốc tin cậy nào');

  const good = await add(bed.certs.official.certPath, '--json');
  expect([good.code, good.err]).toEqual([0, '']);
  expect(JSON.parse(good.out)).toMatchObject({ warnings: [] });
  const forced = await add(bed.certs.expired.certPath, '--force');
  expect(forced.code).toBe(0);
  expect(forced.err).toMatch(/^Warning: The certificate of .* is expired or not yet valid/);

  const repo = await openRepo(data);
  try {
    const adds = (await repo.auditTrail()).filter((e) => e.action === 'admin.user.add').map((e) => e.detail.forced ?? null);
    expect(adds).toEqual([null, ['serverUserCertExpired']]);
  } finally {
    await repo.db.close();
  }
});
