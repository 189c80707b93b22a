import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appliedMigrations, migrate, type Migration } from '../../../main/store/migrate.js';
import { migrations } from '../../../main/store/migrations/index.js';
import { openDb } from '../../../main/store/db.js';
import { DB_FILE, openStore } from '../../../main/store/index.js';
import { indexDocument, SearchRepo } from '../../../main/store/search-index.js';
import { isKysoError } from '../../../main/api/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('store migrations on disk', () => {
  it('creates the database in WAL mode with every migration applied once', () => {
    const db = openDb(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(appliedMigrations(db)).toEqual(migrations.map((m) => m.id));
    db.close();
    // Reopening applies nothing twice.
    const again = new Database(path.join(dir, DB_FILE));
    expect(migrate(again, migrations)).toEqual([]);
    const tables = (again.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['settings', 'outbox', 'outgoing', 'outgoing_status', 'incoming', 'incoming_file', 'directory', 'register_fts']));
    again.close();
  });

  it('upgrades an old database step by step and keeps its data', () => {
    const old = new Database(path.join(dir, DB_FILE));
    migrate(old, migrations.slice(0, 1));
    old.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('ui.theme', '\"dark\"', 'x')").run();
    old.close();
    const store = openStore(dir);
    expect(store.settings.get('ui.theme')).toBe('dark');
    store.close();
    const db = new Database(path.join(dir, DB_FILE));
    expect(appliedMigrations(db)).toEqual(migrations.map((m) => m.id));
    db.close();
  });

  it('adds the recall columns (003) to a register written at version 2 without touching its rows', () => {
    const old = new Database(path.join(dir, DB_FILE));
    migrate(old, migrations.filter((m) => m.id <= 2));
    old.prepare(`INSERT INTO incoming (message_id, server, from_code, from_name, document_id, number, notation, type, subject, received_at, state, status_code, arrival_year, arrival_number, package_path)
      VALUES ('m1', 's', '000.00.00.H49', 'UBND', 'd', '1', 'QĐ', 'Quyết định', 'Trích yếu', 't', 'accepted', '03', 2026, 7, '/p')`).run();
    old.close();
    const store = openStore(dir);
    expect(store.incoming.get('m1')).toMatchObject({ arrivalNumber: 7, subject: 'Trích yếu', recallReason: null, recallAt: null, recallAnswer: null });
    expect(store.incoming.markRecall('m1', 'Nhầm', '2026-11-22T00:00:00Z')).toBe(true);
    expect(store.incoming.markRecall('m1', 'Nhầm', '2026-11-22T00:00:00Z')).toBe(false);
    expect(store.incoming.answerRecall('m1', '16').recallAnswer).toBe('16');
    store.close();
  });

  it('keys the search index of a version-4 register (005) so re-indexing replaces the old text', () => {
    const old = new Database(path.join(dir, DB_FILE));
    migrate(old, migrations.filter((m) => m.id <= 4));
    // Version 4 indexed without the key table; a document indexed twice left a stale row.
    const ins = old.prepare('INSERT INTO register_fts (kind, message_id, body) VALUES (?, ?, ?)');
    ins.run('incoming', 'm1', 'ban cu');
    ins.run('incoming', 'm1', 'bao cao tai chinh');
    ins.run('outgoing', 'o1', 'cong van');
    old.close();
    const db = openDb(dir);
    const search = new SearchRepo(db);
    const ids = (q: string) => search.find(q).map((h) => h.messageId).sort();
    expect(ids('ban cu')).toEqual([]);
    expect(ids('tai chinh')).toEqual(['m1']);
    expect(ids('cong van')).toEqual(['o1']);
    indexDocument(db, 'incoming', 'm1', ['Quyết định bổ nhiệm']);
    expect(ids('tai chinh')).toEqual([]);
    expect(ids('bo nhiem')).toEqual(['m1']);
    expect(db.prepare('SELECT count(*) AS n FROM register_fts').get()).toEqual({ n: 2 });
    db.close();
  });

  it('rolls back a failing migration and refuses a database newer than the app', () => {
    const db = new Database(path.join(dir, DB_FILE));
    const bad: Migration[] = [
      { id: 1, name: 'ok', up: 'CREATE TABLE a (x INTEGER)' },
      { id: 2, name: 'broken', up: 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1)' },
    ];
    expect(() => migrate(db, bad)).toThrow();
    expect(appliedMigrations(db)).toEqual([1]);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'b'").get()).toEqual({ n: 0 });
    db.prepare("INSERT INTO schema_migrations VALUES (99, 'future', 'x')").run();
    try {
      migrate(db, bad.slice(0, 1));
      expect.unreachable();
    } catch (e) {
      expect(isKysoError(e) && e.code).toBe('storeTooNew');
    }
    db.close();
  });
});

describe('settings repository', () => {
  it('stores JSON values, lists by prefix, deletes with null, survives reopen', () => {
    const s = openStore(dir);
    s.settings.set('ui.lang', 'vi');
    s.settings.set('ui.recent', ['a.pdf', 'b.pdf']);
    s.settings.set('exchange.server', { url: 'http://127.0.0.1:1', org: '000.00.00.H49' });
    s.settings.set('ui.lang', 'en');
    expect(s.settings.get('ui.lang')).toBe('en');
    expect(s.settings.all('ui.')).toEqual({ 'ui.lang': 'en', 'ui.recent': ['a.pdf', 'b.pdf'] });
    s.settings.set('ui.recent', null);
    expect(s.settings.get('ui.recent')).toBeUndefined();
    s.close();
    const again = openStore(dir);
    expect(again.settings.all()).toEqual({ 'ui.lang': 'en', 'exchange.server': { url: 'http://127.0.0.1:1', org: '000.00.00.H49' } });
    again.close();
  });
});
