/**
 * Two server instances on one PostgreSQL schema (in process; the real-process failover test
 * is scale-failover.test.ts): nothing one instance needs is in the other's memory. A
 * challenge from one is answered at the other, the per-address challenge cap counts both,
 * a ticket from one opens a stream at the other, an upload at one is heard live by a stream
 * at the other, a logout, a disabled or a removed user ends streams on both at once (the
 * streams' own re-check is set to a minute, so only the notice can do it), a status relayed
 * twice at once through both is stored once, and a listener that lost its connection
 * reconnects and re-reads what it missed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, type ServerEvent } from '../../../main/exchange/protocol.js';
import type { Signer } from '../../../main/pki/signer.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer, type RunningServer, type ServerOptions } from '../../../server/app.js';
import type { PgBus } from '../../../server/bus.js';
import { openRepo } from '../../../server/store.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { kyso } from '../exchange-client/cli-io.js';
import { call, code, events, get, login, makeTicket, ok, sendPackage, sendStatus, token } from './api.js';
import { issueUser, makePackage, makeStatus, ORGS, signerOf } from './fixtures.js';

const PG = process.env.KYSO_TEST_PG_URL;
if (!PG && process.env.CI === 'true') throw new Error('KYSO_TEST_PG_URL is not set in CI (scripts/pg-test.sh).');

let bed: TestBed;
let work: string;
let data: string;
const schema = `kyso_t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
let one: RunningServer;
let two: RunningServer;
const s = {} as Record<'A' | 'B' | 'B2' | 'C', Signer>;
const ids = {} as Record<'A' | 'B' | 'B2' | 'C', number>;

/** An instance on the shared schema and data directory (local blobs, shared: one host). */
const instance = (extra: Partial<ServerOptions> = {}) =>
  startServer({ dataDir: data, db: PG!, pgSchema: schema, trustFiles: [bed.certs.root.certPath], eventPingMs: 60_000, sweep: false, log: () => undefined, ...extra });

/** Resolves when a stream ends (or rejects after `ms`). */
function ended(stream: Awaited<ReturnType<typeof events>>, ms = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('stream still open')), ms);
    const done = () => {
      clearTimeout(t);
      resolve();
    };
    if (stream.res.readableEnded || stream.res.destroyed) return done();
    stream.res.on('end', done).on('close', done);
  });
}

/** The next event, or a rejection after `ms`. */
function nextWithin(stream: Awaited<ReturnType<typeof events>>, ms: number): Promise<ServerEvent> {
  return Promise.race([stream.next(), new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms))]);
}

beforeAll(async () => {
  if (!PG) return;
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-2inst-'));
  data = path.join(work, 'data');
  bed = await createTestBed();
  one = await instance();
  two = await instance({ listenRetry: { firstMs: 1_500, maxMs: 3_000 } });
  await addOrg(one.repo, { ...ORGS.A, parent: null });
  for (const k of ['B', 'C'] as const) await addOrg(one.repo, { ...ORGS[k], parent: ORGS.A.code });
  const certs = await Promise.all([issueUser(bed, 'two-a', 'Văn thư UBND'), issueUser(bed, 'two-b', 'Văn thư Sở Tài chính'), issueUser(bed, 'two-b2', 'Chuyên viên Sở Tài chính'), issueUser(bed, 'two-c', 'Văn thư Sở Nội vụ')]);
  for (const [i, k, org] of [[0, 'A', ORGS.A], [1, 'B', ORGS.B], [2, 'B2', ORGS.B], [3, 'C', ORGS.C]] as const) {
    const f = path.join(work, `${k}.der`);
    writeFileSync(f, certs[i]!.der);
    ids[k] = (await addUser(one.repo, org.code, f)).id;
    s[k] = signerOf(bed, certs[i]!);
  }
}, 180_000);

afterAll(async () => {
  await one?.close();
  await two?.close();
  await bed?.close();
  if (PG) {
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!PG)('two instances on one PostgreSQL', () => {
  it('a challenge issued by one instance is answered at the other, once', async () => {
    const c = ok(await call<{ challengeId: string; nonce: string }>(one.url, 'POST', endpoints.challenge, { json: {} }));
    // Sign the challenge from instance 1 and log in at instance 2 (login() asks its own base for one: do it by hand).
    const { body } = await login(one.url, s.A);
    const replay = await call(two.url, 'POST', endpoints.login, { json: body });
    expect(code(replay)).toBe('exChallengeInvalid'); // login() already used it at instance 1
    const sig = await s.A.sign(new TextEncoder().encode(`KYSO-LOGIN-V1\n${c.challengeId}\n${c.nonce}`), 'SHA-256', s.A.keyType === 'EC' ? 'ECDSA' : 'RSA-PKCS1');
    const fresh = { ...body, challengeId: c.challengeId, signature: Buffer.from(sig).toString('base64') };
    const r = await call<{ token: string }>(two.url, 'POST', endpoints.login, { json: fresh });
    expect(r.status).toBe(200);
    // The session works at both instances.
    for (const u of [one.url, two.url]) expect((await get(u, ok(r).token, endpoints.inbox)).status).toBe(200);
    expect(code(await call(one.url, 'POST', endpoints.login, { json: fresh }))).toBe('exChallengeInvalid');
  });

  it('the per-address challenge cap counts the challenges held at both instances', async () => {
    // Whatever earlier tests left pending counts too: fill up to the cap across both.
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await call(i % 2 ? one.url : two.url, 'POST', endpoints.challenge, { json: {} })).status);
    const first429 = statuses.indexOf(429);
    expect(first429).toBeGreaterThan(0);
    expect(first429).toBeLessThanOrEqual(50);
    // From there on both instances refuse: neither has room of its own.
    expect(new Set(statuses.slice(first429))).toEqual(new Set([429]));
    await one.repo.db.run('DELETE FROM login_challenges');
  });

  it('a ticket from one instance opens a stream at the other, which hears an upload made at the first', { timeout: 60_000 }, async () => {
    const [tokA, tokB] = [await token(one.url, s.A), await token(two.url, s.B)];
    const ticket = await makeTicket(one.url, tokB);
    const res = await fetch(`${two.url}${endpoints.events}?ticket=${ticket}`);
    expect(res.status).toBe(200);
    await res.body?.cancel();
    expect((await fetch(`${one.url}${endpoints.events}?ticket=${ticket}`)).status).toBe(401); // single use, on every instance

    const streamB = await events(two.url, tokB);
    const streamA = await events(one.url, tokA);
    const { file } = await makePackage(work, s.A, ORGS.A, [ORGS.B]);
    const id = randomUUID();
    expect((await sendPackage(one.url, tokA, id, { file })).status).toBe(201);
    const ev = await nextWithin(streamB, 5_000);
    expect(ev).toMatchObject({ type: 'inbox', item: { messageId: id, senderOrganId: ORGS.A.code, status: '01' } });
    // The sender's stream at instance 1 hears the 01 status of B.
    expect(await nextWithin(streamA, 5_000)).toMatchObject({ type: 'status', item: { messageId: id, fromOrganId: ORGS.B.code, statusCode: '01' } });
    // B answers through instance 2, twice at once through both: relayed once.
    const b03 = await makeStatus(s.B, ORGS.B, ORGS.A, ev.type === 'inbox' ? ev.item.documentId : '', '03');
    const both = await Promise.all([sendStatus(one.url, tokB, id, b03), sendStatus(two.url, tokB, id, b03)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(new Set(both.map((r) => ok(r).seq)).size).toBe(1);
    expect(await nextWithin(streamA, 5_000)).toMatchObject({ type: 'status', item: { statusCode: '03' } });
    await expect(nextWithin(streamA, 1_000)).rejects.toThrow(/no event/);
    streamA.close();
    streamB.close();
  });

  it('a logout at one instance ends the session\'s stream at the other at once', async () => {
    const tokB = await token(one.url, s.B);
    const stream = await events(two.url, tokB);
    ok(await call(one.url, 'POST', endpoints.logout, { token: tokB, json: {} }));
    await ended(stream, 3_000);
    expect((await get(two.url, tokB, endpoints.inbox)).status).toBe(401);
  });

  it('kyso server user disable and remove end the user\'s sessions and streams on both instances at once (15.6)', { timeout: 60_000 }, async () => {
    for (const [who, verb] of [['B2', 'disable'], ['C', 'remove']] as const) {
      const [t1, t2] = [await token(one.url, s[who]), await token(two.url, s[who])];
      const streams = [await events(one.url, t1), await events(two.url, t2)];
      const other = await events(two.url, await token(two.url, s.B));
      const r = await kyso(['server', 'user', verb, '--data', data, '--id', String(ids[who]), '--json'], {});
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      await Promise.all(streams.map((st) => ended(st, 3_000)));
      for (const [u, t] of [[one.url, t1], [two.url, t2], [two.url, t1]] as const) expect((await get(u, t, endpoints.inbox)).status).toBe(401);
      expect(code((await login(two.url, s[who])).reply)).toBe('exUnknownUser');
      // Another user's stream lives on.
      expect(other.res.destroyed).toBe(false);
      other.close();
    }
    const trail = (await one.repo.auditTrail()).filter((e) => e.action.startsWith('admin.user.'));
    expect(trail.map((e) => e.action)).toEqual(expect.arrayContaining(['admin.user.disable', 'admin.user.remove']));
  });

  it('a listener that lost its connection reconnects, is not ready meanwhile, and re-reads what it missed', { timeout: 60_000 }, async () => {
    const [tokA, tokB] = [await token(one.url, s.A), await token(two.url, s.B)];
    const streamB = await events(two.url, tokB);
    const pid = (two.bus as PgBus).listenerPid;
    expect(pid).toBeGreaterThan(0);
    const admin = new pg.Client({ connectionString: PG });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    await expect.poll(() => two.bus.connected, { timeout: 3_000 }).toBe(false);
    const ready = await fetch(`${two.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.events).toMatch(/reconnecting/);
    // Sent while instance 2 cannot hear the notice (it reconnects after about 1.5 s).
    const { file } = await makePackage(work, s.A, ORGS.A, [ORGS.B]);
    const id = randomUUID();
    expect((await sendPackage(one.url, tokA, id, { file })).status).toBe(201);
    expect(two.bus.connected).toBe(false);
    expect(await nextWithin(streamB, 8_000)).toMatchObject({ type: 'inbox', item: { messageId: id } });
    expect(two.bus.connected).toBe(true);
    expect((await fetch(`${two.url}/readyz`)).status).toBe(200);
    streamB.close();
  });
});

describe.skipIf(!PG)('write order per organization', () => {
  it('a transaction writing for an organization waits for the one before it: rows become visible in sequence order', { timeout: 30_000 }, async () => {
    const repo = await openRepo(data, { db: PG!, pgSchema: schema });
    try {
      const msg = async (n: number) => num((await repo.db.get("INSERT INTO messages (message_id, sender_org, sender_user, package_sha256, size, document_id, meta, created_at) VALUES ($1, $2, 1, $3, 1, 'd', '{}', 'now') RETURNING id", [`order-${n}-${randomUUID()}`, ORGS.A.code, '0'.repeat(64)]))!.id);
      const [m1, m2] = [await msg(1), await msg(2)];
      const deliver = (m: number) => (db: Parameters<Parameters<typeof repo.db.tx>[0]>[0]) => db.get("INSERT INTO deliveries (message_ref, recipient_org, status, delivered_at) VALUES ($1, $2, '01', 'now') RETURNING seq", [m, ORGS.C.code]);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const before = await repo.lastSeqs(ORGS.C.code);
      const first = repo.db.tx(async (db) => {
        await one.bus.claim(db, { inbox: [ORGS.C.code] });
        const r = await deliver(m1)(db);
        await held;
        return num(r!.seq);
      });
      await new Promise((r) => setTimeout(r, 200));
      let secondDone = false;
      const second = repo.db.tx(async (db) => {
        await one.bus.claim(db, { inbox: [ORGS.C.code] });
        return num((await deliver(m2)(db))!.seq);
      }).then((seq) => ((secondDone = true), seq));
      await new Promise((r) => setTimeout(r, 500));
      // The second could not commit past the first: nothing of C is visible out of order.
      const during = { secondDone, visible: await repo.lastSeqs(ORGS.C.code) };
      release();
      expect(during).toEqual({ secondDone: false, visible: before });
      const [s1, s2] = [await first, await second];
      expect(s1).toBeLessThan(s2);
    } finally {
      await repo.db.close();
    }
  });
});

const num = (v: unknown) => Number(v);
