/**
 * Versioned schema migrations of the inbox server, one script per dialect. Same rules as the
 * client's runner (main/store/migrate.ts, whose ordering and "newer than this program" check
 * are reused): each step runs once inside a transaction with its id recorded in
 * `schema_migrations`, a failing step rolls back, a database newer than the server is refused
 * (`storeTooNew`). The server and `kyso server org|user|audit` may start at the same moment:
 * each step is re-checked under a lock (SQLite: the write lock of BEGIN IMMEDIATE;
 * PostgreSQL: a transaction-scoped advisory lock).
 */
import { MIGRATIONS_TABLE_DDL, pendingMigrations } from '../../main/store/migrate.js';
import type { Db } from './sql.js';
import { serverMigrations } from './migrations/index.js';

/** One schema step: a unique increasing number, a name, and its SQL in each dialect. */
export interface ServerMigration {
  id: number;
  name: string;
  sqlite: string;
  postgres: string;
}

/** Arbitrary constant naming the advisory lock that serializes migrations on PostgreSQL. */
const PG_MIGRATION_LOCK = 0x6b79736f; // 'kyso'

async function lockForMigration(db: Db): Promise<void> {
  if (db.kind === 'postgres') await db.get('SELECT pg_advisory_xact_lock($1)', [PG_MIGRATION_LOCK]);
}

/** Applies every step not yet recorded; returns the ids it applied, in order. */
export async function migrateServer(db: Db, list: readonly ServerMigration[] = serverMigrations): Promise<number[]> {
  // Created under the lock too: two PostgreSQL sessions creating it at once collide in pg_type.
  await db.tx(async (t) => {
    await lockForMigration(t);
    await t.exec(MIGRATIONS_TABLE_DDL);
  });
  const done = (await db.all('SELECT id FROM schema_migrations')).map((r) => Number(r.id));
  const applied: number[] = [];
  for (const m of pendingMigrations(list, done)) {
    const ran = await db.tx(async (t) => {
      await lockForMigration(t);
      // Another process may have applied it since the list above was read.
      if (await t.get('SELECT 1 AS x FROM schema_migrations WHERE id = $1', [m.id])) return false;
      await t.exec(m[t.kind]);
      await t.run('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [m.id, m.name, new Date().toISOString()]);
      return true;
    });
    if (ran) applied.push(m.id);
  }
  return applied;
}

/** Ids of the steps recorded in the database. */
export async function appliedServerMigrations(db: Db): Promise<number[]> {
  return (await db.all('SELECT id FROM schema_migrations ORDER BY id')).map((r) => Number(r.id));
}
