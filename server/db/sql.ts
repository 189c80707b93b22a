/**
 * One small SQL seam over SQLite (better-sqlite3, embedded default) and PostgreSQL (pg):
 * queries use `$1..$n` placeholders; the repository above it is written once for both.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { switchToWal } from '../../main/store/db.js';

/** A row as returned by either driver. */
export type Row = Record<string, unknown>;

/** The database operations the repository needs. */
export interface Db {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Reads see committed rows only: never those of a transaction still open in another request
   * (inside `tx`, the transaction's own rows, as usual).
   */
  all<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  get<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T | undefined>;
  run(sql: string, params?: unknown[]): Promise<number>;
  /** Runs a script of several statements without parameters (schema migrations). */
  exec(script: string): Promise<void>;
  /** Runs fn in one transaction (serialized on SQLite); rolls back when it throws. */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` once the current transaction has committed (never when it rolls back); outside a
   * transaction, at once. What others may only learn of committed rows waits for it.
   */
  afterCommit(fn: () => void): void;
  /** PostgreSQL: a new connection of its own, set up like the pool's (the event listener's). */
  connectSession?(): Promise<pg.Client>;
  close(): Promise<void>;
}

/** Runs the callbacks registered on a committed transaction; one that throws does not stop the others. */
function runCommitted(fns: (() => void)[]): void {
  for (const fn of fns) {
    try {
      fn();
    } catch (e) {
      process.stderr.write(`kyso-server: after-commit callback failed: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
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

function openSqliteConnection(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    // The client store's WAL switch: retried on SQLITE_BUSY, which SQLite may answer there
    // without its busy handler when several processes open one fresh file.
    switchToWal(db);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** The three statement kinds over one better-sqlite3 connection. */
function sqliteOps(db: Database.Database) {
  return {
    all<T extends Row>(sql: string, params: unknown[] = []): T[] {
      const [s, p] = toSqlite(sql, params);
      return db.prepare(s).all(...p) as T[];
    },
    get<T extends Row>(sql: string, params: unknown[] = []): T | undefined {
      const [s, p] = toSqlite(sql, params);
      return db.prepare(s).get(...p) as T | undefined;
    },
    run(sql: string, params: unknown[] = []): number {
      const [s, p] = toSqlite(sql, params);
      return db.prepare(s).run(...p).changes;
    },
  };
}

/**
 * Opens (creating) an SQLite database file in WAL mode. A transaction holds the writer
 * connection across its `await`s, so everything else stays off that connection while one is
 * open: writes outside a transaction queue behind it (one lock), and reads outside a
 * transaction go to a second, query-only connection, which WAL shows the last committed state
 * (on the writer they would see the open transaction's uncommitted rows).
 */
export function openSqlite(file: string): Db {
  const writer = openSqliteConnection(file);
  let reader: Database.Database;
  try {
    reader = openSqliteConnection(file);
    reader.pragma('query_only = ON');
  } catch (e) {
    writer.close();
    throw e;
  }
  const lock = new Mutex();
  const w = sqliteOps(writer);
  const r = sqliteOps(reader);
  let committed: (() => void)[] = [];
  const inTx: Db = {
    kind: 'sqlite',
    all: async <T extends Row>(s: string, p?: unknown[]) => w.all<T>(s, p),
    get: async <T extends Row>(s: string, p?: unknown[]) => w.get<T>(s, p),
    run: async (s, p) => w.run(s, p),
    exec: async (script) => void writer.exec(script),
    tx: (fn) => fn(inTx),
    afterCommit: (fn) => void committed.push(fn),
    close: async () => undefined,
  };
  return {
    kind: 'sqlite',
    all: async <T extends Row>(s: string, p?: unknown[]) => r.all<T>(s, p),
    get: async <T extends Row>(s: string, p?: unknown[]) => r.get<T>(s, p),
    run: (s, p) => lock.run(async () => w.run(s, p)),
    exec: (script) => lock.run(async () => void writer.exec(script)),
    tx: (fn) =>
      lock.run(async () => {
        writer.exec('BEGIN IMMEDIATE');
        committed = [];
        try {
          const res = await fn(inTx);
          writer.exec('COMMIT');
          runCommitted(committed);
          return res;
        } catch (e) {
          if (writer.inTransaction) writer.exec('ROLLBACK');
          throw e;
        } finally {
          committed = [];
        }
      }),
    afterCommit: (fn) => runCommitted([fn]),
    // After the queued statements: closing under an open transaction would roll it back.
    close: () =>
      lock.run(async () => {
        reader.close();
        writer.close();
      }),
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
    } catch (e) {
      // Two processes creating it at the same moment: the loser sees a unique violation.
      if ((e as { code?: string }).code !== '23505') throw e;
    } finally {
      await c.end();
    }
  }
  // search_path set at connection startup, so every pooled connection sees only this schema.
  const config = { connectionString: url, ...(schema ? { options: `-c search_path=${schema}` } : {}) };
  const pool = new pg.Pool({ ...config, max: 8 });
  // An idle connection dropped by the server (restart, failover) is replaced on the next
  // query; without a listener its error would end the process.
  pool.on('error', () => undefined);
  const over = (q: { query: pg.Pool['query'] } | pg.PoolClient): Omit<Db, 'tx' | 'close' | 'afterCommit'> => ({
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
    // Without parameters, pg sends a simple query, which may hold several statements.
    async exec(script: string) {
      await q.query(script);
    },
  });
  return {
    ...over(pool),
    async tx(fn) {
      const c = await pool.connect();
      // The pool drops its error listener while a client is checked out: a connection lost in a
      // transaction (restart, failover, a terminated backend) would then throw pg's 'error'
      // event and end the whole process. The transaction's statement fails with it anyway.
      const lost = () => undefined;
      c.on('error', lost);
      try {
        await c.query('BEGIN');
        const committed: (() => void)[] = [];
        const inner: Db = { ...over(c), tx: (f) => f(inner), afterCommit: (f) => void committed.push(f), close: async () => undefined };
        const r = await fn(inner);
        await c.query('COMMIT');
        runCommitted(committed);
        return r;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.removeListener('error', lost);
        c.release();
      }
    },
    afterCommit: (fn) => runCommitted([fn]),
    async connectSession() {
      const c = new pg.Client({ ...config, keepAlive: true });
      await c.connect();
      return c;
    },
    close: () => pool.end(),
  };
}
