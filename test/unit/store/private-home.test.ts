/**
 * KYSO_HOME is the user's only (issue 15.11): another account on the office PC must not read
 * the registers or the received documents. The home is 0700, the database and its -wal/-shm
 * 0600 under the usual umask 022, and a home an older version left 0755/0644 is tightened.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../../main/store/index.js';

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
let dir: string;
let umask: number;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-home-modes-'));
  // The usual umask: without Kyso's own modes, folders would be 0755 and files 0644.
  umask = process.umask(0o022);
});
afterAll(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

it.skipIf(process.platform === 'win32')('creates the home 0700 and the database with its -wal and -shm 0600', () => {
  const home = path.join(dir, 'fresh', 'kyso');
  const store = openStore(home);
  try {
    store.settings.set('probe', 1); // a write: the WAL and its index exist now
    expect(mode(home)).toBe('700');
    for (const f of ['kyso.db', 'kyso.db-wal', 'kyso.db-shm']) {
      expect(existsSync(path.join(home, f)), f).toBe(true);
      expect(mode(path.join(home, f)), f).toBe('600');
    }
  } finally {
    store.close();
  }
});

it.skipIf(process.platform === 'win32')('tightens a home an older version left readable: home, database, received and outgoing files', () => {
  const home = path.join(dir, 'old');
  const received = path.join(home, 'inbox', 'a1b2c3d4e5f60718');
  mkdirSync(received, { recursive: true, mode: 0o755 });
  mkdirSync(path.join(home, 'outbox'), { mode: 0o755 });
  chmodSync(home, 0o755);
  writeFileSync(path.join(received, '01-quyet-dinh.pdf'), '%PDF-1.7\n', { mode: 0o644 });
  writeFileSync(path.join(home, 'outbox', 'x.edxml'), '<x/>', { mode: 0o644 });
  // The database as the old version left it: 0644, in WAL mode with its side files.
  const old = new Database(path.join(home, 'kyso.db'));
  old.pragma('journal_mode = WAL');
  old.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
  for (const f of ['kyso.db', 'kyso.db-wal', 'kyso.db-shm']) chmodSync(path.join(home, f), 0o644);
  const store = openStore(home);
  try {
    expect(mode(home)).toBe('700');
    for (const f of ['kyso.db', 'kyso.db-wal', 'kyso.db-shm']) expect(mode(path.join(home, f)), f).toBe('600');
    expect(mode(path.join(home, 'inbox'))).toBe('700');
    expect(mode(received)).toBe('700');
    expect(mode(path.join(received, '01-quyet-dinh.pdf'))).toBe('600');
    expect(mode(path.join(home, 'outbox'))).toBe('700');
    expect(mode(path.join(home, 'outbox', 'x.edxml'))).toBe('600');
  } finally {
    store.close();
    old.close();
  }
});
