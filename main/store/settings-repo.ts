/** Settings: JSON values under string keys, for the UI and the CLI. */
import type { Db } from './db.js';

/** A JSON-compatible value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** Reads and writes settings. */
export class SettingsRepo {
  // An ES private field: the connection is not reachable from outside the store, even at run time.
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The value under `key`, or undefined when unset. */
  get(key: string): JsonValue | undefined {
    const row = this.#db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as JsonValue) : undefined;
  }

  /** Stores `value` under `key` (null deletes it). */
  set(key: string, value: JsonValue): void {
    if (value === null) {
      this.#db.prepare('DELETE FROM settings WHERE key = ?').run(key);
      return;
    }
    this.#db
      .prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
      .run(key, JSON.stringify(value), new Date().toISOString());
  }

  /** Every setting, optionally only keys starting with `prefix`. */
  all(prefix = ''): Record<string, JsonValue> {
    const rows = this.#db
      .prepare("SELECT key, value FROM settings WHERE substr(key, 1, length(?)) = ? ORDER BY key")
      .all(prefix, prefix) as Array<{ key: string; value: string }>;
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as JsonValue]));
  }
}
