/** Cache of the server's organization directory (the recipients clerks pick from). */
import type { Db } from './db.js';

/** One organization of the province hierarchy. */
export interface OrgEntry {
  code: string;
  name: string;
  parent: string | null;
  /** Reached through the national axis, not hosted on the server. */
  outside: boolean;
}

/** Reads and replaces the cached directory of one server. */
export class DirectoryRepo {
  // An ES private field: the connection is not reachable from outside the store, even at run time.
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Replaces the cached directory of `server` with a fresh copy. */
  replace(server: string, orgs: (Omit<OrgEntry, 'outside'> & { outside?: boolean })[], at = new Date()): void {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM directory WHERE server = ?').run(server);
      const ins = this.#db.prepare('INSERT INTO directory (server, code, name, parent, fetched_at, outside) VALUES (?, ?, ?, ?, ?, ?)');
      for (const o of orgs) ins.run(server, o.code, o.name, o.parent, at.toISOString(), o.outside ? 1 : 0);
    }).immediate();
  }

  /** The cached organizations of `server`: the server's own by code, then outside bodies by code. */
  list(server: string): OrgEntry[] {
    return (this.#db.prepare('SELECT code, name, parent, outside FROM directory WHERE server = ? ORDER BY outside, code').all(server) as (Omit<OrgEntry, 'outside'> & { outside: number })[])
      .map((o) => ({ ...o, outside: o.outside === 1 }));
  }

  /** When the cache of `server` was last refreshed, or null. */
  fetchedAt(server: string): string | null {
    const r = this.#db.prepare('SELECT max(fetched_at) AS t FROM directory WHERE server = ?').get(server) as { t: string | null };
    return r.t;
  }

  /** One organization's name, when cached. */
  name(server: string, code: string): string | undefined {
    const r = this.#db.prepare('SELECT name FROM directory WHERE server = ? AND code = ?').get(server, code) as { name: string } | undefined;
    return r?.name;
  }
}
