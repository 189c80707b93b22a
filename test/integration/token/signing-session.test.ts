/**
 * Issue 15.10: a token does not stay logged in across people and screens. Through the real
 * core and SoftHSM2: after a signing job the token is logged out and the next job needs the
 * PIN; a kept session (setting) serves only the certificate it was made for, until "log out
 * now" or its end; a wrong PIN never rides on an open session; withFreshLogin (the local
 * signing service's API) never shares a session between requests.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventId } from '../../../main/api/index.js';
import { createCore, type Core } from '../../../main/services/core.js';
import type { ShellHandlers } from '../../../main/services/types.js';
import { SOFTHSM_MODULE } from '../../bed/softhsm.js';
import { createTokenBed, LABEL_A, PIN_A, type TokenBed } from './fixture.js';

const token = { module: SOFTHSM_MODULE, label: LABEL_A };
let bed: TokenBed;
let core: Core;
let home: string;
let fp: { rsa: string; ec: string };
const events: Array<{ event: EventId; payload: unknown }> = [];
const opened: string[] = [];
let n = 0;

beforeAll(async () => {
  bed = await createTokenBed();
  process.env.SOFTHSM2_CONF = bed.hsm.conf;
  home = mkdtempSync(path.join(os.tmpdir(), 'kyso-session-'));
  const shell: ShellHandlers = {
    'dialog:openFiles': async () => ({ paths: [], native: false }),
    'dialog:saveFile': async () => ({ path: null, native: false }),
    'shell:openPath': async ({ path: p }) => {
      opened.push(p);
      return { opened: true };
    },
    'shell:showItemInFolder': async () => ({ opened: true }),
  };
  core = await createCore({ host: 'browser', home, lang: 'en', shell });
  core.bus.subscribe((event, payload) => events.push({ event, payload }));
  const list = await core.call('token:list', { modules: [SOFTHSM_MODULE] });
  if (!list.ok) throw new Error(list.error.message);
  const certs = (list.value as { modules: Array<{ tokens: Array<{ label: string; certificates: Array<{ keyId: string; fingerprint: string }> }> }> }).modules[0]!.tokens.find((t) => t.label === LABEL_A)!.certificates;
  fp = { rsa: certs.find((c) => c.keyId === '01')!.fingerprint, ec: certs.find((c) => c.keyId === '02')!.fingerprint };
});
afterAll(async () => {
  await core?.close();
  bed?.cleanup();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function ok<T>(id: string, input: unknown): Promise<T> {
  const r = await core.call(id, input);
  if (!r.ok) throw new Error(`${id}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

/** Runs one signing job with the certificate `fingerprint`; resolves with its outcome. */
async function signJob(fingerprint: string): Promise<{ ok: true; output: string } | { ok: false; code: string }> {
  const dir = path.join(home, `job-${++n}`);
  mkdirSync(dir);
  copyFileSync('test/fixtures/cong-van-mau.pdf', path.join(dir, 'in.pdf'));
  const r = await core.call('sign:files', { files: [path.join(dir, 'in.pdf')], output: path.join(dir, 'out.pdf'), token, cert: { fingerprint } });
  if (!r.ok) return { ok: false, code: r.error.code };
  const { jobId } = r.value as { jobId: string };
  // sign:done comes once the session is dealt with (logged out, or kept).
  await expect.poll(() => events.some((e) => e.event === 'sign:done' && (e.payload as { jobId: string }).jobId === jobId), { timeout: 60_000, interval: 50 }).toBe(true);
  const done = events.find((e) => e.event === 'sign:done' && (e.payload as { jobId: string }).jobId === jobId)!.payload as { results: Array<{ status: string; output: string }> };
  expect(done.results[0]!.status).toBe('signed');
  return { ok: true, output: done.results[0]!.output };
}

async function loggedIn(): Promise<boolean> {
  const v = await ok<{ modules: Array<{ tokens: Array<{ label: string; loggedIn: boolean }> }> }>('token:list', { modules: [SOFTHSM_MODULE] });
  return v.modules[0]!.tokens.find((t) => t.label === LABEL_A)!.loggedIn;
}

async function setKeep(minutes: number): Promise<void> {
  await ok('settings:set', { key: 'token.keepSessionMinutes', value: minutes });
}

describe('token sessions of signing jobs', { timeout: 240_000 }, () => {
  it('by default, the token is logged out after a job: signing again asks for the PIN', async () => {
    await setKeep(0);
    await ok('token:login', { token, pin: PIN_A });
    // The PIN just entered is ready for the next job on this token (the UI asks no PIN again).
    expect((await ok<{ ready: Array<{ label: string }> }>('token:session', {})).ready.map((r) => r.label)).toEqual([LABEL_A]);
    const first = await signJob(fp.rsa);
    expect(first.ok).toBe(true);
    expect(await loggedIn()).toBe(false);
    expect(await signJob(fp.rsa)).toEqual({ ok: false, code: 'tokenNotLoggedIn' });
    expect(await ok('token:session', {})).toEqual({ kept: null, ready: [], keepMinutes: 0 });
    // The signed output is a document Kyso wrote: the OS opener may open it.
    if (first.ok) expect(await core.call('shell:openPath', { path: first.output })).toEqual({ ok: true, value: { opened: true } });
    expect(opened).toHaveLength(1);
  });

  it('a kept session serves its own certificate only; another one asks for the PIN and ends it', async () => {
    await setKeep(5);
    await ok('token:login', { token, pin: PIN_A });
    expect((await signJob(fp.rsa)).ok).toBe(true);
    const s = await ok<{ kept: { fingerprint: string; subject: string; expiresAt: string } | null; keepMinutes: number }>('token:session', {});
    expect(s.keepMinutes).toBe(5);
    expect(s.kept).toMatchObject({ fingerprint: fp.rsa, subject: 'Nguyễn Văn An', label: LABEL_A });
    const left = Date.parse(s.kept!.expiresAt) - Date.now();
    expect(left).toBeGreaterThan(4 * 60_000);
    expect(left).toBeLessThanOrEqual(5 * 60_000);
    expect(events.some((e) => e.event === 'token:session' && (e.payload as { kept: unknown }).kept !== null)).toBe(true);
    // The same person signs again within the time: no PIN.
    expect((await signJob(fp.rsa)).ok).toBe(true);
    expect(await loggedIn()).toBe(true);
    // Someone else's certificate on the same token: refused, and the kept session is over.
    expect(await signJob(fp.ec)).toEqual({ ok: false, code: 'tokenNotLoggedIn' });
    expect(await loggedIn()).toBe(false);
    expect((await ok<{ kept: unknown }>('token:session', {})).kept).toBeNull();
    expect(await signJob(fp.rsa)).toEqual({ ok: false, code: 'tokenNotLoggedIn' });
  });

  it('a wrong PIN never rides on a kept session', async () => {
    await setKeep(5);
    await ok('token:login', { token, pin: PIN_A });
    expect((await signJob(fp.rsa)).ok).toBe(true);
    expect(await loggedIn()).toBe(true);
    const bad = await core.call('token:login', { token, pin: '000111' });
    expect(bad.ok).toBe(false);
    expect(await loggedIn()).toBe(false);
    expect(await signJob(fp.ec)).toEqual({ ok: false, code: 'tokenNotLoggedIn' });
    expect(await signJob(fp.rsa)).toEqual({ ok: false, code: 'tokenNotLoggedIn' });
  });

  it('"log out now" ends the kept session at once', async () => {
    await setKeep(5);
    await ok('token:login', { token, pin: PIN_A });
    expect((await signJob(fp.rsa)).ok).toBe(true);
    expect(await loggedIn()).toBe(true);
    expect(await ok('token:endSession', {})).toEqual({ kept: null });
    expect(await loggedIn()).toBe(false);
    expect(events.at(-1)).toEqual({ event: 'token:session', payload: { kept: null } });
    expect(await signJob(fp.rsa)).toEqual({ ok: false, code: 'tokenNotLoggedIn' });
  });
});

describe('withFreshLogin (one login per request)', { timeout: 240_000 }, () => {
  it('logs out whatever session was open, checks the PIN, and logs out after the request', async () => {
    await setKeep(5);
    await ok('token:login', { token, pin: PIN_A });
    expect((await signJob(fp.rsa)).ok).toBe(true); // a kept session of the app's user
    // A wrong PIN: refused although the token was logged in; the request never runs.
    let ran = false;
    await expect(core.tokens.withFreshLogin(token, '000222', async () => (ran = true))).rejects.toMatchObject({ code: expect.stringMatching(/^tokenPinIncorrect/) });
    expect(ran).toBe(false);
    expect(await core.tokens.isLoggedIn(token)).toBe(false);
    // Two requests at once: each runs in its own login, one after the other, and nothing stays open.
    const order: string[] = [];
    const request = (name: string) =>
      core.tokens.withFreshLogin(token, PIN_A, async () => {
        order.push(`${name}:start`);
        const signer = await core.tokens.getSigner(token, { keyId: '01' });
        await signer.sign(Buffer.from(name), 'SHA-256', 'RSA-PKCS1');
        order.push(`${name}:end`);
      });
    await Promise.all([request('a'), request('b')]);
    expect(order).toEqual(['a:start', 'a:end', 'b:start', 'b:end']);
    expect(await core.tokens.isLoggedIn(token)).toBe(false);
    expect(await loggedIn()).toBe(false);
  });
});
