/**
 * A transaction that holds an organization's write lock (server/bus.ts) must not ask the
 * connection pool for a second connection: when every other pooled connection is in a
 * transaction waiting for that same lock, the second connection never comes and the instance
 * stops for good (found by two-gateways.test.ts: uploads to an outside body hung, all 8
 * connections of an instance waiting for body A's lock, the one holding it idle in its
 * transaction, asking the pool for the axis route). Each case below builds that state on
 * purpose on the real server (PostgreSQL): the lock is held from elsewhere, the request's
 * transaction queues for it, then more transactions than the pool has connections queue
 * behind it; the lock is released and the request must finish.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repo } from '../../../server/db/repo.js';
import { AxisRepo } from '../../../server/axis/repo.js';
import { openRepo } from '../../../server/store.js';
import { backend, BODY, createAxisBed, PG, until, within, type AxisBed } from './bed.js';

if (!PG && process.env.CI === 'true') throw new Error('KYSO_TEST_PG_URL is not set in CI (scripts/pg-test.sh).');

/** More than the server's pool holds (server/db/sql.ts: 8), so every pooled connection waits. */
const WAITERS = 24;

describe.skipIf(!PG)('a transaction holding an organization\'s lock needs no second pooled connection (PostgreSQL)', () => {
  // Advisory locks are per database, and every axis bed hosts the same body codes: a database
  // of its own, so no other test's server waits on the lock held here or counts as waiting.
  const database = `kyso_locks_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const dbOpts = { ...backend('postgres'), db: Object.assign(new URL(PG ?? 'postgres://x/y'), { pathname: `/${database}` }).toString() };
  let ab: AxisBed;
  let other: Repo;

  /** Runs one statement on the test run's own database. */
  async function admin(sql: string): Promise<void> {
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${database}`);
    ab = await createAxisBed({ db: dbOpts });
    // Another pool on the same schema: the lock holder and the observer, outside the server's pool.
    other = await openRepo(ab.dataDir, dbOpts);
    await until(async () => (await new AxisRepo(ab.server.repo.db).routeOf(BODY.X.code)) === 'vxp', 'the axis directory');
    // X stays silent: its answers, delivered by the gateway, would take the same locks.
    await ab.x.stop();
  }, 120_000);

  afterAll(async () => {
    await other?.db.close();
    await ab?.close();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  /** Runs `request` while its transaction's lock on `org` is contended as described above. */
  async function contended<T>(org: string, what: string, request: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let holderPid = 0;
    const holder = other.db.tx(async (db) => {
      await ab.server.bus.claim(db, { status: [org] });
      holderPid = Number((await db.get('SELECT pg_backend_pid() AS pid'))!.pid);
      await released;
    });
    const blockedBy = async (pid: number) => Number((await other.db.get('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [pid]))!.n);
    const pending: Promise<unknown>[] = [holder];
    let settled = false;
    try {
      await until(() => holderPid, 'the lock to be held');
      const done = request();
      pending.push(done);
      await until(async () => (await blockedBy(holderPid)) === 1, 'the request\'s transaction to wait for the lock');
      // Queued behind the request's transaction: they take every pooled connection left.
      const waiters = Array.from({ length: WAITERS }, () => ab.server.repo.db.tx((db) => ab.server.bus.claim(db, { status: [org] })));
      pending.push(...waiters);
      await until(async () => (await blockedBy(holderPid)) >= 2, 'the other transactions to queue');
      await new Promise((r) => setTimeout(r, 300));
      release();
      await holder;
      const r = await within(done, 10_000, `${what} (its transaction holding the lock)`);
      await within(Promise.all(waiters), 10_000, 'the queued transactions');
      settled = true;
      return r;
    } finally {
      // Whatever failed, the lock is let go, and a stuck pool is freed for the bed's close: the
      // transactions waiting for a lock are ended, again as the queued ones take the connections
      // freed, until all have settled.
      release();
      const all = Promise.allSettled(pending);
      let over = false;
      void all.then(() => (over = true));
      for (let i = 0; !settled && !over && i < 100; i++) {
        await other.db.get("SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory' AND pid <> pg_backend_pid()");
        await new Promise((r) => setTimeout(r, 100));
      }
      await all;
    }
  }

  it('an upload to an outside body (queued for the axis in its transaction) and its recall (a status relayed)', async () => {
    const pdf = path.join(ab.bed.dir, 'khoa.pdf');
    writeFileSync(pdf, '%PDF-1.4\n% văn bản\n%%EOF\n');
    const q = await ab.clientA.queue({ to: [BODY.X.code], subject: 'Về việc kiểm tra khóa', number: '31', notation: 'UBND-VP', type: 'Công văn', files: [pdf] });
    // The upload's transaction takes A's lock (the sender's status order) and finds the axis route.
    expect(await contended(BODY.A.code, 'the upload', () => ab.clientA.flush())).toMatchObject({ sent: 1, failed: 0 });
    // The recall's transaction takes X's lock (its recipient) and looks for the same status already stored.
    await contended(BODY.X.code, 'the recall', () => ab.clientA.recall(q.messageId, 'Gửi nhầm'));
    // Both went into the axis queue once.
    expect((await new AxisRepo(ab.server.repo.db).outbox()).map((r) => r.kind)).toEqual(['doc', 'status']);
  });
});
