/** Issue 3: a crashed or hung bridge process, and a token pulled out while in use. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenManager } from '../../../native/token-manager.js';
import type { TokenChange } from '../../../native/types.js';
import { isAlive } from '../../bed/run.js';
import { SOFTHSM_MODULE } from '../../bed/softhsm.js';
import { createTokenBed, LABEL_A, LABEL_B, PIN_A, PIN_B, type TokenBed } from './fixture.js';
import type { KysoError } from '../../../main/api/errors.js';
import { t } from '../../../resources/locales/index.js';

let bed: TokenBed;
const A = { module: SOFTHSM_MODULE, label: LABEL_A };
const B = { module: SOFTHSM_MODULE, label: LABEL_B };
const managers: TokenManager[] = [];

function manager(extra: { callTimeoutMs?: number; pollIntervalMs?: number } = {}): TokenManager {
  const tm = new TokenManager({ modules: [SOFTHSM_MODULE], env: bed.hsm.env, ...extra });
  managers.push(tm);
  return tm;
}

beforeAll(async () => {
  bed = await createTokenBed();
});

afterAll(async () => {
  for (const tm of managers) await tm.close();
  bed?.cleanup();
});

const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: KysoError) => e.code);
const data = Buffer.from('Công văn số 45/UBND');

// Real bridge processes: generous per-test time on a loaded 2-core machine (no timing assertions).
describe('bridge resilience (SoftHSM2, real processes)', { timeout: 180_000 }, () => {
  it('killing the bridge mid-call gives tokenBridgeCrashed; the restart asks for the PIN again', async () => {
    const tm = manager();
    await tm.login(A, PIN_A);
    const signer = await tm.getSigner(A, { keyId: '01' });
    await signer.sign(data, 'SHA-256', 'RSA-PKCS1');
    const client = tm.client(SOFTHSM_MODULE);
    const pid = client.pid!;
    // Freeze the process so the call is surely in flight, then kill it.
    process.kill(pid, 'SIGSTOP');
    const pending = codeOf(signer.sign(data, 'SHA-256', 'RSA-PKCS1'));
    process.kill(pid, 'SIGKILL');
    expect(await pending).toBe('tokenBridgeCrashed');
    // The next call starts a fresh process, which is logged out: no PIN is replayed.
    expect(await codeOf(signer.sign(data, 'SHA-256', 'RSA-PKCS1'))).toBe('tokenNotLoggedIn');
    expect(client.pid).not.toBe(pid);
    expect(client.generation).toBe(2);
    expect(await tm.isLoggedIn(A)).toBe(false);
    await tm.login(A, PIN_A);
    const again = await tm.getSigner(A, { keyId: '01' });
    expect((await again.sign(data, 'SHA-256', 'RSA-PKCS1')).length).toBe(256);
  });

  it('a bridge killed between calls is restarted transparently for the next call', async () => {
    const tm = manager();
    expect((await tm.list())[0]!.ok).toBe(true);
    const client = tm.client(SOFTHSM_MODULE);
    const pid = client.pid!;
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => client.pid, { timeout: 10_000, interval: 20 }).toBeUndefined();
    const report = await tm.list();
    expect(report[0]!.tokens.map((t) => t.label)).toContain(LABEL_A);
    expect(client.pid).not.toBe(pid);
  });

  it('a mechanism the key refuses is named in the error (no literal {mechanism} in the message)', async () => {
    const tm = manager();
    await tm.login(A, PIN_A);
    const { client, slotId } = await tm.resolve(A);
    // Key 01 is RSA: SoftHSM2 refuses ECDSA-SHA256 with it (CKR_MECHANISM_INVALID).
    const err = await client.call({ op: 'sign', slotId, keyId: '01', mechanism: 'ECDSA_SHA256', data: Buffer.from(data).toString('base64') }).then(() => undefined, (e: KysoError) => e);
    expect(err?.code).toBe('tokenMechanismUnsupported');
    expect(err?.params.mechanism).toBe('ECDSA_SHA256');
    expect(t('vi', `error.${err!.code}`, err!.params)).toBe('Token không hỗ trợ cơ chế ký ECDSA_SHA256.');
  });

  it('a hung call times out with tokenTimeout, and the module works again afterwards', async () => {
    const tm = manager({ callTimeoutMs: 5000 });
    await tm.login(A, PIN_A);
    const signer = await tm.getSigner(A, { keyId: '01' });
    const client = tm.client(SOFTHSM_MODULE);
    const pid = client.pid!;
    process.kill(pid, 'SIGSTOP'); // a driver stuck inside a call
    const err = await signer.sign(data, 'SHA-256', 'RSA-PKCS1').then(() => undefined, (e: KysoError) => e);
    expect(err?.code).toBe('tokenTimeout');
    expect(err?.params).toMatchObject({ module: SOFTHSM_MODULE, op: 'sign' });
    // The stuck process was killed; a new one serves the next calls (logged out).
    await expect.poll(() => isAlive(pid), { timeout: 10_000, interval: 50 }).toBe(false);
    expect(await codeOf(signer.sign(data, 'SHA-256', 'RSA-PKCS1'))).toBe('tokenNotLoggedIn');
    await tm.login(A, PIN_A);
    expect((await (await tm.getSigner(A, { keyId: '01' })).sign(data, 'SHA-256', 'RSA-PKCS1')).length).toBe(256);
  });

  it('deleting a token while in use emits a removal event and gives tokenRemoved, not a crash', async () => {
    const tm = manager({ pollIntervalMs: 100 });
    const events: TokenChange[] = [];
    tm.onChange((e) => events.push(e));
    await tm.startWatching();
    await tm.login(B, PIN_B);
    const signer = await tm.getSigner(B, { keyId: '11' });
    await signer.sign(data, 'SHA-256', 'RSA-PKCS1');
    await bed.hsm.deleteToken(LABEL_B);
    await expect.poll(() => events.find((e) => e.kind === 'removed' && e.label === LABEL_B), { timeout: 15_000, interval: 50 }).toBeTruthy();
    expect(events.filter((e) => e.kind === 'removed').map((e) => e.label)).toEqual([LABEL_B]);
    expect(await codeOf(signer.sign(data, 'SHA-256', 'RSA-PKCS1'))).toBe('tokenRemoved');
    expect(await codeOf(tm.getSigner(B))).toBe('tokenNotFound');
    // Token A, on the same module, is unaffected.
    await tm.login(A, PIN_A);
    expect((await (await tm.getSigner(A, { keyId: '01' })).sign(data, 'SHA-256', 'RSA-PKCS1')).length).toBe(256);
    // A new token shows up as an insertion. SoftHSM2 reads its token directory only at
    // C_Initialize, so (unlike a USB driver) it needs a fresh bridge process to see it.
    await bed.hsm.initToken('Kyso Token C', '11223344', '5566');
    process.kill(tm.client(SOFTHSM_MODULE).pid!, 'SIGKILL');
    await expect.poll(() => events.find((e) => e.kind === 'inserted' && e.label === 'Kyso Token C'), { timeout: 15_000, interval: 50 }).toBeTruthy();
  });

  it('starts the bridge without NODE_EXTRA_CA_CERTS (no TLS there; it slows start-up) but with the rest of the environment', async () => {
    const tm = new TokenManager({ modules: [SOFTHSM_MODULE], env: { ...bed.hsm.env, NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' } });
    managers.push(tm);
    await tm.list();
    const environ = readFileSync(`/proc/${tm.client(SOFTHSM_MODULE).pid!}/environ`, 'utf8').split('\0');
    expect(environ).toContain(`SOFTHSM2_CONF=${bed.hsm.env.SOFTHSM2_CONF}`);
    expect(environ.some((v) => v.startsWith('NODE_EXTRA_CA_CERTS='))).toBe(false);
  });
});
