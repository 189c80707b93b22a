/**
 * One small SQL seam over SQLite (better-sqlite3, embedded default) and PostgreSQL (pg):
 * queries use `$1..$n` placeholders; the repository above it is written once for both.
 */
import Database from 'better-sqlite3';
import pg from 'pg';

/** A row as returned by either driver. */
export type Row = Record<string, unknown>;

/** The database operations the repository needs. */
export interface Db {
  readonly kind: 'sqlite' | 'postgres';
  all<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  get<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T | undefined>;
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs fn in one transaction (serialized on SQLite); rolls back when it throws. */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** `$n` placeholders -> `?` with the parameters reordered (SQLite). */
function toSqlite(sql: string, params: unknown[]): [string, unknown[]] {
  const out: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const v = params[Number(n) - 1];
    out.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    return '?';
  });
  return [text, out];
}

class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** Opens (creating) an SQLite database file in WAL mode. */
export function openSqlite(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const lock = new Mutex();
  const base = {
    kind: 'sqlite' as const,
    async all<T extends Row>(sql: string, params: unknown[] = []) {
      const [s, p] = toSqlite(sql, params);
      return db.prepare(s).all(...p) as T[];
    },
    async get<T extends Row>(sql: string, params: unknown[] = []) {
      const [s, p] = toSqlite(sql, params);
      return db.prepare(s).get(...p) as T | undefined;
    },
  };
  const runNow = (sql: string, params: unknown[] = []) => {
    const [s, p] = toSqlite(sql, params);
    if (!p.length && s.includes(';')) {
      db.exec(s);
      return 0;
    }
    return db.prepare(s).run(...p).changes;
  };
  const inTx: Db = { ...base, run: async (s, p) => runNow(s, p), tx: (fn) => fn(inTx), close: async () => undefined };
  return {
    ...base,
    run: (s, p) => lock.run(async () => runNow(s, p)),
    tx: (fn) =>
      lock.run(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const r = await fn(inTx);
          db.exec('COMMIT');
          return r;
        } catch (e) {
          db.exec('ROLLBACK');
          throw e;
        }
      }),
    close: async () => void db.close(),
  };
}

/** Connects to PostgreSQL; `schema` (tests) isolates one run in its own schema. */
export async function openPostgres(url: string, schema?: string): Promise<Db> {
  if (schema) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('bad schema name');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await c.end();
    }
  }
  // search_path set at connection startup, so every pooled connection sees only this schema.
  const pool = new pg.Pool({ connectionString: url, max: 8, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  const over = (q: { query: pg.Pool['query'] } | pg.PoolClient): Omit<Db, 'tx' | 'close'> => ({
    kind: 'postgres',
    async all<T extends Row>(sql: string, params: unknown[] = []) {
      return (await q.query(sql, params)).rows as T[];
    },
    async get<T extends Row>(sql: string, params: unknown[] = []) {
      return (await q.query(sql, params)).rows[0] as T | undefined;
    },
    async run(sql: string, params: unknown[] = []) {
      return (await q.query(sql, params)).rowCount ?? 0;
    },
  });
  return {
    ...over(pool),
    async tx(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const inner: Db = { ...over(c), tx: (f) => f(inner), close: async () => undefined };
        const r = await fn(inner);
        await c.query('COMMIT');
        return r;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}
