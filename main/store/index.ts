/**
 * The local store: one database, one repository per aggregate, and `transaction(fn)` for
 * writes that span repositories. The connection itself stays inside main/store: callers
 * cannot run their own SQL or open their own transactions.
 */
import { openDb, openMemoryDb, type Db } from './db.js';
import { ArrivalFailureRepo } from './arrival-failure-repo.js';
import { CursorRepo } from './cursor-repo.js';
import { DirectoryRepo } from './directory-repo.js';
import { IncomingRepo } from './incoming-repo.js';
import { OutboxRepo } from './outbox-repo.js';
import { OutgoingRepo } from './outgoing-repo.js';
import { SearchRepo } from './search-index.js';
import { SettingsRepo } from './settings-repo.js';

export { DB_FILE } from './db.js';
export { SettingsRepo, type JsonValue } from './settings-repo.js';
export { OutboxRepo, type OutboxItem, type OutboxState, type BatchCounts } from './outbox-repo.js';
export { OutgoingRepo, type OutgoingDoc, type OutgoingDetail, type StatusEvent } from './outgoing-repo.js';
export { IncomingRepo, type IncomingDoc, type IncomingFile, type IncomingState, type NewIncoming, type PackageSignatureState, type PackageNoteRow } from './incoming-repo.js';
export { DirectoryRepo, type OrgEntry } from './directory-repo.js';
export { CursorRepo } from './cursor-repo.js';
export { ArrivalFailureRepo, type ArrivalFailure } from './arrival-failure-repo.js';
export { SearchRepo, type SearchHit, type RegisterKind } from './search-index.js';
export { incomingCsv, outgoingCsv, BOM } from './register-csv.js';
export { SECRECY, isoFromEdxmlDate, metaFromJson, metaToJson, type DocMeta, type Priority, type Secrecy } from './doc-meta.js';

/** Every repository over one open database. */
export interface Store {
  readonly settings: SettingsRepo;
  readonly outbox: OutboxRepo;
  readonly outgoing: OutgoingRepo;
  readonly incoming: IncomingRepo;
  readonly directory: DirectoryRepo;
  readonly cursors: CursorRepo;
  readonly failures: ArrivalFailureRepo;
  /** Full-text search over both registers. */
  readonly search: SearchRepo;
  /**
   * Runs `fn` (synchronous: repository calls only) as one IMMEDIATE transaction: it takes the
   * write lock first, so another process sharing the home cannot slip in between its reads and
   * writes. Calls nested inside join it; it commits when `fn` returns and rolls back if it throws.
   */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/** Wraps an open database with every repository; the database is reachable only through them. */
function storeOf(db: Db): Store {
  return {
    settings: new SettingsRepo(db),
    outbox: new OutboxRepo(db),
    outgoing: new OutgoingRepo(db),
    incoming: new IncomingRepo(db),
    directory: new DirectoryRepo(db),
    cursors: new CursorRepo(db),
    failures: new ArrivalFailureRepo(db),
    search: new SearchRepo(db),
    // Nested inside another transaction, better-sqlite3 runs it as a savepoint of that one.
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    close: () => {
      if (db.open) db.close();
    },
  };
}

/** Opens the store in a data directory (KYSO_HOME). */
export function openStore(home: string): Store {
  return storeOf(openDb(home));
}

/** A store in memory with the same schema (unit tests). */
export function openMemoryStore(): Store {
  return storeOf(openMemoryDb());
}
