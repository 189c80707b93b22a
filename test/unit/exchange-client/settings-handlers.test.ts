import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createCore, type Core } from '../../../main/services/core.js';
import { browserShellHandlers } from '../../../main/host/shell-fallback.js';

let dir: string;
let core: Core;
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-core-'));
  core = await createCore({ host: 'browser', home: dir, lang: 'vi', shell: browserShellHandlers() });
});
afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

it('settings:set persists in the store, emits settings:changed, settings:get reads by prefix', async () => {
  const seen: unknown[] = [];
  core.bus.subscribe((event, payload) => seen.push([event, payload]));
  expect(await core.call('settings:set', { key: 'ui.theme', value: 'dark' })).toEqual({ ok: true, value: { key: 'ui.theme', value: 'dark' } });
  await core.call('settings:set', { key: 'exchange.server', value: 'http://127.0.0.1:8080' });
  expect(seen).toContainEqual(['settings:changed', { key: 'ui.theme', value: 'dark' }]);
  expect(await core.call('settings:get', { prefix: 'ui.' })).toEqual({ ok: true, value: { values: { 'ui.theme': 'dark' } } });
  const bad = await core.call('settings:set', { key: '', value: 1 });
  expect(bad.ok).toBe(false);
  await core.close();
  core = await createCore({ host: 'browser', home: dir, lang: 'vi', shell: browserShellHandlers() });
  const again = await core.call('settings:get', {});
  expect(again).toEqual({ ok: true, value: { values: { 'exchange.server': 'http://127.0.0.1:8080', 'ui.theme': 'dark' } } });
});
