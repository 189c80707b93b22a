/**
 * SigningSessions' clock (issue 15.10): a kept session ends when its minutes are up, by the
 * timer and when a job asks after the end; the setting is read at each job's end and
 * clamped. The token operations are a stand-in that records what the rules ask of the
 * token; test/integration/token/signing-session.test.ts runs the same rules on SoftHSM2.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keepMinutesOf, SigningSessions, type KeptSession, type SessionTokens } from '../../../main/services/token-session.js';

const ref = { module: '/usr/lib/x.so', label: 'Token A' };

function tokens() {
  const state = { loggedIn: false, calls: [] as string[] };
  const t: SessionTokens = {
    freshLogin: async () => {
      state.calls.push('freshLogin');
      state.loggedIn = true;
    },
    logout: async () => {
      state.calls.push('logout');
      state.loggedIn = false;
    },
    isLoggedIn: async () => state.loggedIn,
    resolve: async () => ({ client: {} as never, slotId: '0', token: { flags: 0x4 } as never }),
  };
  return { t, state };
}

afterEach(() => vi.useRealTimers());

describe('SigningSessions', () => {
  it('ends a kept session when its time is up: the timer logs out and tells the UI', async () => {
    vi.useFakeTimers();
    const { t, state } = tokens();
    const changes: Array<KeptSession | null> = [];
    const s = new SigningSessions(t, () => 2, (k) => changes.push(k));
    await s.login(ref, '1234');
    await s.begin(ref, 'fp1');
    await s.end(ref, 'fp1', 'Nguyễn Văn An');
    expect(s.current()).toMatchObject({ fingerprint: 'fp1', subject: 'Nguyễn Văn An' });
    expect(state.loggedIn).toBe(true);
    await vi.advanceTimersByTimeAsync(2 * 60_000 - 1000);
    expect(state.loggedIn).toBe(true);
    await vi.advanceTimersByTimeAsync(2000);
    expect(state.loggedIn).toBe(false);
    expect(s.current()).toBeNull();
    // The login (ready), its use by the job, the kept session, its end.
    expect(changes.map((c) => c?.fingerprint ?? null)).toEqual([null, null, 'fp1', null]);
  });

  it('refuses a job after the end even before the timer fires (suspended machine), and logs out', async () => {
    let now = Date.parse('2025-03-01T08:00:00Z');
    const { t, state } = tokens();
    const s = new SigningSessions(t, () => 5, () => undefined, () => now);
    await s.login(ref, '1234');
    await s.begin(ref, 'fp1');
    await s.end(ref, 'fp1', 'A');
    now += 5 * 60_000 + 1;
    await expect(s.begin(ref, 'fp1')).rejects.toMatchObject({ code: 'tokenNotLoggedIn' });
    expect(state.loggedIn).toBe(false);
  });

  it('a login made for a job expires unused; a job never starts on a login nobody made for it', async () => {
    let now = 0;
    const { t, state } = tokens();
    const s = new SigningSessions(t, () => 0, () => undefined, () => now);
    await s.login(ref, '1234');
    now += 5 * 60_000 + 1;
    await expect(s.begin(ref, 'fp1')).rejects.toMatchObject({ code: 'tokenNotLoggedIn' });
    // Logged in by someone else (another screen, a leftover): still refused, and closed.
    state.loggedIn = true;
    await expect(s.begin(ref, 'fp1')).rejects.toMatchObject({ code: 'tokenNotLoggedIn' });
    expect(state.loggedIn).toBe(false);
  });

  it('jobs of one person overlap on one login; another certificate meanwhile is refused without logging out', async () => {
    const { t, state } = tokens();
    const s = new SigningSessions(t, () => 0);
    await s.login(ref, '1234');
    await s.begin(ref, 'fp1');
    await s.begin(ref, 'fp1');
    await expect(s.begin(ref, 'fp2')).rejects.toMatchObject({ code: 'tokenSessionBusy' });
    await expect(s.login(ref, '9999')).rejects.toMatchObject({ code: 'tokenSessionBusy' });
    expect(state.loggedIn).toBe(true);
    await s.end(ref, 'fp1', 'A');
    expect(state.loggedIn).toBe(true);
    await s.end(ref, 'fp1', 'A');
    expect(state.loggedIn).toBe(false);
  });

  it('reads the setting as whole minutes within 0..60', () => {
    expect([undefined, null, '5', -3, 2.5, 0, 7, 600].map(keepMinutesOf)).toEqual([0, 0, 0, 0, 0, 0, 7, 60]);
  });
});
