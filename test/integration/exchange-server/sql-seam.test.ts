/**
 * The server's SQL seam (server/db/sql.ts) on SQLite and PostgreSQL: a transaction that stays
 * open across `await`s (real waits, as a request's does) is invisible to every statement
 * outside it until it commits, and a rolled-back one is never seen. Before the fix, SQLite
 * reads ran on the transaction's own connection without its lock, so a concurrent request
 * listed another request's uncommitted delivery, which then vanished on rollback.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Repo } from '../../../server/db/repo.js';
import { openRepo, type DbChoice } from '../../../server/store.js';

const PG = process.env.KYSO_TEST_PG_URL;
if (!PG && process.env.CI === 'true') throw new Error('KYSO_TEST_PG_URL is not set in CI: the PostgreSQL backend must be tested (scripts/pg-test.sh).');

const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-seam-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  if (PG && schemas.length) {
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await c.end();
  }
});

const backends: [string, () => DbChoice][] = [
  ['sqlite', () => ({})],
  ...(PG ? ([['postgres', () => {
    const pgSchema = `kyso_seam_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    schemas.push(pgSchema);
    return { db: PG, pgSchema };
  }]] as [string, () => DbChoice][]) : []),
];

/** A promise to open and close by hand: the transaction below waits on it across real time. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

const ORG_A = '000.00.00.H49';
const ORG_B = '000.00.01.H49';
const meta = { senderName: 'UBND', codeNumber: '1', codeNotation: 'QĐ', subject: 'Thử', promulgationDate: '2026/11/22', priority: 0, recipients: [ORG_B] };
const msg = (messageId: string) => ({ messageId, senderOrg: ORG_A, senderUser: 1, packageSha256: 'ab'.repeat(32), size: 10, documentId: `d-${messageId}`, meta });

describe.each(backends)('SQL seam on %s', (name, choice) => {
  let repo: Repo;

  beforeEach(async () => {
    repo = await openRepo(mkdtempSync(path.join(work, 'data-')), choice());
    await repo.addOrg({ code: ORG_A, name: 'UBND', parent: null });
    await repo.addOrg({ code: ORG_B, name: 'Sở', parent: ORG_A });
  });
  afterEach(async () => {
    await repo.db.close();
  });

  it("a concurrent request never lists another request's uncommitted delivery, and never one that is rolled back", async () => {
    const g = gate();
    const inserted = gate();
    const upload = repo.db.tx(async (db) => {
      await repo.insertMessage(db, msg('msg-rolled-back'), new Date().toISOString());
      inserted.open();
      // The request goes on with real I/O while its transaction stays open.
      await g.wait;
      throw new Error('the upload failed after its rows were written');
    });
    await inserted.wait;
    await sleep(20);
    // Another request (the recipient listing its inbox, the sender's id check) meanwhile.
    expect(await repo.inbox(ORG_B, 0, 100)).toEqual([]);
    expect(await repo.messageBySender(ORG_A, 'msg-rolled-back')).toBeUndefined();
    expect((await repo.counts()).deliveries).toBe(0);
    g.open();
    await expect(upload).rejects.toThrow('the upload failed');
    expect(await repo.inbox(ORG_B, 0, 100)).toEqual([]);
  });

  it('rows become visible to every reader when their transaction commits, not before', async () => {
    const g = gate();
    const inserted = gate();
    const upload = repo.db.tx(async (db) => {
      const r = await repo.insertMessage(db, msg('msg-committed'), new Date().toISOString());
      inserted.open();
      await g.wait;
      return r;
    });
    await inserted.wait;
    await sleep(20);
    expect(await repo.inbox(ORG_B, 0, 100)).toEqual([]);
    g.open();
    await upload;
    expect((await repo.inbox(ORG_B, 0, 100)).map((d) => d.message.messageId)).toEqual(['msg-committed']);
  });

  it('a write outside the transaction is not swallowed by it: it lands after, and survives its rollback', async () => {
    const g = gate();
    const inserted = gate();
    const upload = repo.db.tx(async (db) => {
      await repo.audit({ actorOrg: ORG_A, actorUser: 1, action: 'inside', target: null, detail: {} }, db);
      inserted.open();
      await g.wait;
      throw new Error('rolled back');
    });
    await inserted.wait;
    const outside = repo.audit({ actorOrg: ORG_B, actorUser: 2, action: 'outside', target: null, detail: {} });
    await sleep(20);
    g.open();
    await expect(upload).rejects.toThrow('rolled back');
    await outside;
    expect((await repo.auditTrail()).map((e) => e.action)).toEqual(['outside']);
  });

  it.skipIf(name !== 'postgres')('a connection lost inside a transaction fails that transaction only: the process and the pool go on', async () => {
    // PostgreSQL: the backend is ended from outside (as a restart or failover would) while the
    // transaction waits; pg then also emits 'error' on the client, which no one listened to.
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => void uncaught.push(e);
    process.prependListener('uncaughtException', onUncaught);
    const admin = new pg.Client({ connectionString: PG });
    await admin.connect();
    try {
      const t = repo.db.tx(async (db) => {
        const pid = Number((await db.get('SELECT pg_backend_pid() AS pid'))!.pid);
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await sleep(100);
        return db.get('SELECT 1 AS x');
      });
      await expect(t).rejects.toThrow();
      await sleep(100);
      expect(uncaught).toEqual([]);
      expect(await repo.db.get('SELECT 1 AS x')).toEqual({ x: 1 });
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      await admin.end();
    }
  });
});
