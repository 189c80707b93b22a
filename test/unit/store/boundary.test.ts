/**
 * The store keeps its database: callers get repositories and `transaction(fn)`, never the
 * connection (issue 16, item 6). Writes that span repositories commit or roll back together.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as storeModule from '../../../main/store/index.js';
import { DB_FILE, openMemoryStore, openStore, type Store } from '../../../main/store/index.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-boundary-'));
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const doc = (id: string) => ({ messageId: id, documentId: `d-${id}`, number: '1', notation: 'CV', type: 'Công văn', subject: `Việc ${id}`,
  recipients: ['000.01.00.H49'], files: ['a.pdf'], server: 's' });

/** Every value reachable from `root` through own properties, private class fields aside (they are not reachable). */
function reachable(root: object): unknown[] {
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    for (const k of Reflect.ownKeys(v)) walk((v as Record<PropertyKey, unknown>)[k]);
  };
  walk(root);
  return [...seen];
}

describe('the store boundary', () => {
  it('hands out no database connection: not on the store, not on a repository, not from the module', () => {
    // @ts-expect-error the Store type has no db any more
    expect(store.db).toBeUndefined();
    expect(reachable(store).some((v) => v instanceof Database)).toBe(false);
    expect(reachable(openMemoryStore()).some((v) => v instanceof Database)).toBe(false);
    expect(Object.keys(storeModule)).not.toEqual(expect.arrayContaining(['openDb']));
    expect(Object.keys(storeModule).filter((k) => /Db$|searchDocuments/.test(k))).toEqual([]);
  });

  it('commits a write over several repositories together, or rolls all of it back', () => {
    store.transaction(() => {
      store.outgoing.add(doc('m-ok-0001'));
      store.outbox.enqueue({ messageId: 'm-ok-0001', server: 's', packagePath: '/p', recipients: ['000.01.00.H49'] });
    });
    expect(store.outgoing.get('m-ok-0001')).toBeDefined();
    expect(store.outbox.get('m-ok-0001')).toBeDefined();
    expect(() =>
      store.transaction(() => {
        store.outgoing.add(doc('m-bad-0001'));
        store.outbox.enqueue({ messageId: 'm-bad-0001', server: 's', packagePath: '/p', recipients: ['000.01.00.H49'] });
        throw new Error('disk gone');
      }),
    ).toThrow('disk gone');
    expect(store.outgoing.get('m-bad-0001')).toBeUndefined();
    expect(store.outbox.get('m-bad-0001')).toBeUndefined();
    expect(store.search.find('viec m-bad').length).toBe(0);
  });

  it('nests (an inner failure caught by the outer function undoes only the inner part) and refuses async work', () => {
    store.transaction(() => {
      store.outgoing.add(doc('m-outer-01'));
      try {
        store.transaction(() => {
          store.outgoing.add(doc('m-inner-01'));
          throw new Error('inner');
        });
      } catch {}
    });
    expect(store.outgoing.get('m-outer-01')).toBeDefined();
    expect(store.outgoing.get('m-inner-01')).toBeUndefined();
    // A transaction cannot stay open across an await: the write lock would be held by a promise.
    expect(() => store.transaction((async () => store.outgoing.add(doc('m-async-01'))) as () => unknown)).toThrow(/promise/);
    expect(store.outgoing.get('m-async-01')).toBeUndefined();
  });

  it('takes the write lock first: another connection cannot write while a transaction that only read is open', () => {
    const other = new Database(path.join(dir, DB_FILE));
    other.pragma('busy_timeout = 0');
    try {
      store.transaction(() => {
        store.outbox.list();
        // Deferred, a read-only transaction would hold no write lock and this would succeed.
        expect(() => other.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('x', '1', 't')").run()).toThrow(/locked|busy/i);
      });
      other.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('x', '1', 't')").run();
    } finally {
      other.close();
    }
    expect(store.settings.get('x')).toBe(1);
  });
});
