/** The token contract through the real core: token:list / login / logout and token:changed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCore, type Core } from '../../../main/services/core.js';
import { browserShellHandlers } from '../../../main/host/shell-fallback.js';
import { SOFTHSM_MODULE } from '../../bed/softhsm.js';
import { createTokenBed, LABEL_A, LABEL_B, PIN_A, type TokenBed } from './fixture.js';

let bed: TokenBed;
let core: Core;
let home: string;

beforeAll(async () => {
  bed = await createTokenBed();
  // The core's bridges inherit the environment, as the app's would.
  process.env.SOFTHSM2_CONF = bed.hsm.conf;
  home = mkdtempSync(path.join(os.tmpdir(), 'kyso-home-'));
  core = await createCore({ host: 'browser', home, lang: 'vi', shell: browserShellHandlers() });
});

afterAll(async () => {
  await core?.close();
  bed?.cleanup();
  if (home) rmSync(home, { recursive: true, force: true });
});

// Real bridge processes: generous per-test time on a loaded 2-core machine (no timing assertions).
describe('token contract', { timeout: 180_000 }, () => {
  it('token:list returns the SoftHSM2 tokens (validated by the contract schema)', async () => {
    const r = await core.call('token:list', { modules: [SOFTHSM_MODULE] });
    expect(r.ok).toBe(true);
    const value = (r as { value: { modules: Array<{ path: string; tokens: Array<{ label: string; flags: { tokenInitialized: boolean } }> }> } }).value;
    expect(value.modules).toHaveLength(1);
    const tokens = value.modules[0]!.tokens;
    expect(tokens.filter((t) => t.flags.tokenInitialized).map((t) => t.label).sort()).toEqual([LABEL_A, LABEL_B]);
    // SoftHSM2's free slot holds a blank token, listed for provisioning.
    expect(tokens.filter((t) => !t.flags.tokenInitialized)).toHaveLength(1);
  });

  it('token:login maps a wrong PIN to a Vietnamese message without the PIN; right PIN then logout work', async () => {
    const token = { module: SOFTHSM_MODULE, label: LABEL_A };
    const bad = await core.call('token:login', { token, pin: '864209' });
    expect(bad.ok).toBe(false);
    const error = (bad as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('tokenPinIncorrectCountLow');
    expect(error.message).toContain('Mã PIN không đúng');
    expect(JSON.stringify(bad)).not.toContain('864209');
    expect(await core.call('token:login', { token, pin: PIN_A })).toEqual({ ok: true, value: { loggedIn: true } });
    const signer = await core.tokens.getSigner(token, { keyId: '01' });
    expect((await signer.sign(Buffer.from('x'), 'SHA-256', 'RSA-PKCS1')).length).toBe(256);
    expect(await core.call('token:logout', { token })).toEqual({ ok: true, value: { loggedIn: false } });
  });

  it('emits token:changed when a token is removed', async () => {
    const seen: Array<{ event: string; payload: unknown }> = [];
    core.bus.subscribe((event, payload) => seen.push({ event, payload }));
    await bed.hsm.deleteToken(LABEL_B);
    await expect.poll(() => seen.find((s) => s.event === 'token:changed' && (s.payload as { label: string }).label === LABEL_B), { timeout: 20_000, interval: 100 }).toBeTruthy();
    expect(seen.find((s) => s.event === 'token:changed')!.payload).toMatchObject({ kind: 'removed', module: SOFTHSM_MODULE, label: LABEL_B });
  });
});
