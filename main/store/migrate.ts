/**
 * Numbered schema migrations. Each runs once, inside a transaction, and its number is recorded
 * in `schema_migrations`; a database newer than the app is refused rather than corrupted.
 */
import { KysoError } from '../api/errors.js';
import type { Db } from './db.js';

/** One schema step: a unique increasing number, a name, and the change. */
export interface Migration {
  id: number;
  name: string;
  /** SQL text, or a function for steps that need data transformations. */
  up: string | ((db: Db) => void);
}

/** The table both runners (this one and the inbox server's) record applied steps in. */
export const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`;

/**
 * The steps of `list` not yet in `done`, in id order. Throws on a repeated id, and refuses
 * (`storeTooNew`) a database that recorded a step newer than any in the list: an older
 * program must not write into a schema it does not know. Shared with the inbox server's
 * runner (server/db/migrate.ts).
 */
export function pendingMigrations<M extends { id: number }>(list: readonly M[], done: Iterable<number>): M[] {
  const sorted = [...list].sort((a, b) => a.id - b.id);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.id === sorted[i - 1]!.id) throw new Error(`duplicate migration id ${sorted[i]!.id}`);
  }
  const applied = new Set(done);
  const latest = sorted.at(-1)?.id ?? 0;
  const newest = Math.max(0, ...applied);
  if (newest > latest) throw new KysoError('storeTooNew', { version: newest, supported: latest });
  return sorted.filter((m) => !applied.has(m.id));
}

/** Applies every migration not yet recorded; returns the ids it applied, in order. */
export function migrate(db: Db, list: readonly Migration[]): number[] {
  db.exec(MIGRATIONS_TABLE_DDL);
  const done = (db.prepare('SELECT id FROM schema_migrations').all() as Array<{ id: number }>).map((r) => r.id);
  const applied: number[] = [];
  for (const m of pendingMigrations(list, done)) {
    const ran = db.transaction(() => {
      // Checked again under the write lock: another process opening the same fresh home (the
      // app and a `kyso` command) may have applied it since the list above was read.
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?').get(m.id)) return false;
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, new Date().toISOString());
      return true;
    }).immediate();
    if (ran) applied.push(m.id);
  }
  return applied;
}

/** Ids of the migrations recorded in the database. */
export function appliedMigrations(db: Db): number[] {
  return (db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as Array<{ id: number }>).map((r) => r.id);
}
