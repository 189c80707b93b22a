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

/** Applies every migration not yet recorded; returns the ids it applied, in order. */
export function migrate(db: Db, list: readonly Migration[]): number[] {
  const sorted = [...list].sort((a, b) => a.id - b.id);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.id === sorted[i - 1]!.id) throw new Error(`duplicate migration id ${sorted[i]!.id}`);
  }
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = new Set((db.prepare('SELECT id FROM schema_migrations').all() as Array<{ id: number }>).map((r) => r.id));
  const latest = sorted.at(-1)?.id ?? 0;
  const newest = Math.max(0, ...done);
  if (newest > latest) throw new KysoError('storeTooNew', { version: newest, supported: latest });
  const applied: number[] = [];
  for (const m of sorted) {
    if (done.has(m.id)) continue;
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
