/**
 * Versioned migrations of the inbox server on SQLite and PostgreSQL: a database made by the
 * schema the server had before versioning (test/fixtures/server/schema-v0.sql) upgrades with
 * its rows intact; nothing runs twice; a failing step rolls back; a database newer than the
 * server is refused; two processes opening a fresh database at once both succeed.
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isKysoError } from '../../../main/api/errors.js';
import { appliedServerMigrations, migrateServer, type ServerMigration } from '../../../server/db/migrate.js';
import { serverMigrations } from '../../../server/db/migrations/index.js';
import { openPostgres, openSqlite, type Db } from '../../../server/db/sql.js';
import { openRepo, type DbChoice } from '../../../server/store.js';

const PG = process.env.KYSO_TEST_PG_URL;
if (!PG && process.env.CI === 'true') throw new Error('KYSO_TEST_PG_URL is not set in CI: the PostgreSQL backend must be tested (scripts/pg-test.sh).');

const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-srv-mig-'));
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

/** A fresh place for one database: a data directory, plus its own schema on PostgreSQL. */
interface Place {
  dataDir: string;
  choice: DbChoice;
  /** Opens the raw seam on the same database (as openRepo would, without migrating). */
  raw(): Promise<Db>;
}

const places: [string, () => Place][] = [
  ['sqlite', () => {
    const dataDir = mkdtempSync(path.join(work, 'data-'));
    return { dataDir, choice: {}, raw: async () => openSqlite(path.join(dataDir, 'kyso-server.db')) };
  }],
  ...(PG ? ([['postgres', () => {
    const dataDir = mkdtempSync(path.join(work, 'data-'));
    const pgSchema = `kyso_mig_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    schemas.push(pgSchema);
    return { dataDir, choice: { db: PG, pgSchema }, raw: () => openPostgres(PG, pgSchema) };
  }]] as [string, () => Place][]) : []),
];

/** The pre-versioning schema, as that server created it. */
async function createV0(db: Db): Promise<void> {
  const serial = db.kind === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY';
  const sql = readFileSync(path.join(import.meta.dirname, '../../fixtures/server/schema-v0.sql'), 'utf8').replace(/@SERIAL/g, serial);
  await db.exec(sql);
}

const A = '000.00.00.H49';
const B = '000.00.01.H49';

describe.each(places)('server migrations on %s', (_name, place) => {
  it('upgrades a database made by the schema before versioning, keeping every row', async () => {
    const p = place();
    const old = await p.raw();
    await createV0(old);
    const at = '2026-11-22T01:00:00.000Z';
    await old.run('INSERT INTO orgs (code, name, parent, created_at) VALUES ($1, $2, NULL, $3), ($4, $5, $1, $3)', [A, 'UBND tỉnh', at, B, 'Sở Tài chính']);
    await old.run('INSERT INTO users (org_code, cert_sha256, subject, cert_der, created_at) VALUES ($1, $2, $3, $4, $5)', [A, 'f'.repeat(64), 'CN=Văn thư', 'MIIB', at]);
    await old.run('INSERT INTO sessions (token_sha256, user_id, org_code, expires_at) VALUES ($1, 1, $2, $3)', ['e'.repeat(64), A, Date.now() + 600_000]);
    const meta = JSON.stringify({ senderName: 'UBND tỉnh', codeNumber: '7', codeNotation: 'QĐ-UBND', subject: 'Quyết định cũ', promulgationDate: '2026/11/22', priority: 0, recipients: [B] });
    await old.run('INSERT INTO messages (message_id, sender_org, sender_user, package_sha256, size, document_id, meta, created_at) VALUES ($1, $2, 1, $3, 42, $4, $5, $6)',
      ['old-message-1', A, 'ab'.repeat(32), 'doc-1', meta, at]);
    await old.run("INSERT INTO deliveries (message_ref, recipient_org, status, delivered_at) VALUES (1, $1, '01', $2)", [B, at]);
    await old.run("INSERT INTO statuses (message_ref, from_org, to_org, code, description, timestamp, staff, received_at, xml_sha256) VALUES (1, $1, $2, '01', '', $3, NULL, $3, NULL)", [B, A, at]);
    await old.run("INSERT INTO audit (at, actor_org, actor_user, action, target, detail) VALUES ($1, NULL, NULL, 'admin.org.add', $2, '{}')", [at, A]);
    await old.close();

    const repo = await openRepo(p.dataDir, p.choice);
    try {
      expect(await appliedServerMigrations(repo.db)).toEqual(serverMigrations.map((m) => m.id));
      expect((await repo.orgs()).map((o) => o.code)).toEqual([A, B]);
      expect((await repo.userByCert('f'.repeat(64)))?.subject).toBe('CN=Văn thư');
      const inbox = await repo.inbox(B, 0, 10);
      expect(inbox.map((d) => [d.message.messageId, d.message.meta.subject, d.status])).toEqual([['old-message-1', 'Quyết định cũ', '01']]);
      expect((await repo.statusesTo(A, 0, 10)).map((s) => s.code)).toEqual(['01']);
      expect((await repo.auditTrail()).map((e) => e.action)).toEqual(['admin.org.add']);
      // 002: the old session gained an empty login chain and is found by user.
      expect((await repo.sessionUsers(Date.now())).map((x) => [x.userId, x.orgCode, x.chain])).toEqual([[1, A, []]]);
      // New rows continue the old sequences.
      const id = await repo.addUser({ orgCode: B, certSha256: 'c'.repeat(64), subject: 'CN=Sở', certDer: 'MIIC' });
      expect(id).toBe(2);
      // Applied once: running again changes nothing.
      expect(await migrateServer(repo.db)).toEqual([]);
    } finally {
      await repo.db.close();
    }
  });

  it('a database at the previous release (001-004) gains only 005, the axis tables, keeping its rows', async () => {
    const p = place();
    const db = await p.raw();
    try {
      const before = serverMigrations.filter((m) => m.id <= 4);
      expect(await migrateServer(db, before)).toEqual([1, 2, 3, 4]);
      await db.run('INSERT INTO login_challenges (id, nonce, client, expires_at) VALUES ($1, $2, $3, $4)', ['c1', 'n1', '127.0.0.1', Date.now() + 60_000]);
      await expect(db.get('SELECT count(*) AS n FROM axis_outbox')).rejects.toThrow();
      expect(await migrateServer(db)).toEqual([5]);
      expect(serverMigrations.map((m) => [m.id, m.name]).slice(3)).toEqual([[4, 'shared-auth-state'], [5, 'axis-gateway']]);
      expect(await appliedServerMigrations(db)).toEqual([1, 2, 3, 4, 5]);
      expect(Number((await db.get('SELECT count(*) AS n FROM login_challenges'))!.n)).toBe(1);
      for (const t of ['axis_links', 'axis_agencies', 'axis_outbox', 'axis_inbound', 'axis_delivered']) {
        expect(Number((await db.get(`SELECT count(*) AS n FROM ${t}`))!.n)).toBe(0);
      }
      expect(await migrateServer(db)).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('rolls back a failing step (its id stays unrecorded) and refuses a database newer than the server', async () => {
    const p = place();
    const db = await p.raw();
    try {
      const steps: ServerMigration[] = [
        { id: 1, name: 'one', sqlite: 'CREATE TABLE t1 (x INTEGER)', postgres: 'CREATE TABLE t1 (x INTEGER)' },
        { id: 2, name: 'broken', sqlite: 'CREATE TABLE t2 (x INTEGER); INSERT INTO nowhere VALUES (1)', postgres: 'CREATE TABLE t2 (x INTEGER); INSERT INTO nowhere VALUES (1)' },
      ];
      await expect(migrateServer(db, steps)).rejects.toThrow(/nowhere/);
      expect(await appliedServerMigrations(db)).toEqual([1]);
      // The broken step's own table was rolled back with it.
      await expect(db.get('SELECT count(*) AS n FROM t2')).rejects.toThrow();
      await db.run("INSERT INTO schema_migrations (id, name, applied_at) VALUES (99, 'future', 'x')");
      try {
        await migrateServer(db, steps.slice(0, 1));
        expect.unreachable();
      } catch (e) {
        expect(isKysoError(e) && e.code).toBe('storeTooNew');
        expect(isKysoError(e) && e.params).toEqual({ version: 99, supported: 1 });
      }
    } finally {
      await db.close();
    }
    // So does openRepo (the server and every `kyso server` command).
    await expect(openRepo(p.dataDir, p.choice)).rejects.toMatchObject({ code: 'storeTooNew' });
  });

  it('two processes opening one fresh database at once both succeed, each step applied once', { timeout: 60_000 }, async () => {
    const p = place();
    const startAt = Date.now() + 3_000;
    const run = () =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'open-repo-driver.ts'), p.dataDir, JSON.stringify(p.choice), String(startAt)],
          { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([run(), run()]);
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const db = await p.raw();
    try {
      expect(await appliedServerMigrations(db)).toEqual(serverMigrations.map((m) => m.id));
    } finally {
      await db.close();
    }
  });
});
