/**
 * A PKCS#11 module path typed in Settings (token.modulePaths) is listed by token:list at once,
 * and stops being listed when taken out again. The module is SoftHSM2 under a vendor-like
 * file name outside the catalogue; the core and its bridge processes are real.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../main/services/core.js';
import { browserShellHandlers } from '../../../main/host/shell-fallback.js';
import { SOFTHSM_MODULE } from '../../bed/softhsm.js';
import { createTokenBed, LABEL_A, type TokenBed } from './fixture.js';

let bed: TokenBed;
let core: Core;
let vendorModule: string;

beforeAll(async () => {
  bed = await createTokenBed();
  process.env.SOFTHSM2_CONF = bed.hsm.env.SOFTHSM2_CONF;
  mkdirSync(path.join(bed.dir, 'vendor'));
  vendorModule = path.join(bed.dir, 'vendor', 'libvendor-token.so');
  symlinkSync(SOFTHSM_MODULE, vendorModule);
  core = await createCore({ host: 'browser', home: path.join(bed.dir, 'home'), lang: 'vi', shell: browserShellHandlers() });
}, 180_000);
afterAll(async () => {
  await core?.close();
  bed?.cleanup();
});

type Listed = { ok: true; value: { modules: Array<{ path: string; ok: boolean; tokens: Array<{ label: string }> }> } };

it('lists a module path added in Settings, and drops it when removed', async () => {
  const before = (await core.call('token:list', {})) as Listed;
  expect(before.value.modules.map((m) => m.path)).not.toContain(vendorModule);

  expect(await core.call('settings:set', { key: 'token.modulePaths', value: [vendorModule] })).toMatchObject({ ok: true });
  const added = (await core.call('token:list', {})) as Listed;
  const vendor = added.value.modules.find((m) => m.path === vendorModule);
  expect(vendor?.ok).toBe(true);
  expect(vendor?.tokens.map((t) => t.label)).toContain(LABEL_A);

  expect(await core.call('settings:set', { key: 'token.modulePaths', value: [] })).toMatchObject({ ok: true });
  const removed = (await core.call('token:list', {})) as Listed;
  expect(removed.value.modules.map((m) => m.path)).not.toContain(vendorModule);
});
