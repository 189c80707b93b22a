/**
 * The local SQLite database of one Kyso installation (one organization): opened in KYSO_HOME,
 * WAL journal so the UI can read while the sender writes, migrations applied on open. The
 * home is the user's only (0700) and the database with its -wal/-shm 0600 (main/files/private.ts).
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { ensurePrivateHome, restrictFile, touchPrivate } from '../files/private.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';

/** A better-sqlite3 connection. */
export type Db = Database.Database;

/** File name of the database inside the data directory. */
export const DB_FILE = 'kyso.db';

/** Opens (creating if needed) the database in `home`, with WAL and every migration applied. */
export function openDb(home: string): Db {
  ensurePrivateHome(home);
  const file = path.join(home, DB_FILE);
  // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database's
  // own mode, so they are private from their first byte. An older 0644 database is tightened.
  touchPrivate(file);
  for (const side of ['-wal', '-shm']) restrictFile(file + side);
  const db = new Database(file);
  try {
    // The CLI and the app may share a home: wait for the other writer instead of failing at once.
    // Set first: switching a fresh file to WAL and migrating take locks too. Transactions that
    // read then write start IMMEDIATE (`.immediate()`): a deferred one that must upgrade its
    // lock gets SQLITE_BUSY at once, without this wait.
    db.pragma('busy_timeout = 5000');
    switchToWal(db);
    // NORMAL is durable under WAL against process crashes (only power loss may drop the last commits).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * Sets the WAL journal. On a fresh file opened by several processes at once, SQLite may answer
 * SQLITE_BUSY here without calling the busy handler (another process is switching the same
 * file or recovering its WAL index); retried for up to the busy timeout, then the error stands.
 */
export function switchToWal(db: Db): void {
  const until = Date.now() + 5000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (e) {
      if ((e as { code?: string }).code?.startsWith('SQLITE_BUSY') !== true || Date.now() > until) throw e;
      Atomics.wait(pause, 0, 0, 20 + Math.floor(Math.random() * 30));
    }
  }
}

/** Opens an in-memory database with the same schema (unit tests of repositories). */
export function openMemoryDb(): Db {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations);
  return db;
}
