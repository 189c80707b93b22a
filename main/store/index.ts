/** The local store: one database, one repository per aggregate. */
import { openDb, type Db } from './db.js';
import { ArrivalFailureRepo } from './arrival-failure-repo.js';
import { CursorRepo } from './cursor-repo.js';
import { DirectoryRepo } from './directory-repo.js';
import { IncomingRepo } from './incoming-repo.js';
import { OutboxRepo } from './outbox-repo.js';
import { OutgoingRepo } from './outgoing-repo.js';
import { SettingsRepo } from './settings-repo.js';

export { openDb, openMemoryDb, DB_FILE, type Db } from './db.js';
export { SettingsRepo, type JsonValue } from './settings-repo.js';
export { OutboxRepo, type OutboxItem, type OutboxState, type BatchCounts } from './outbox-repo.js';
export { OutgoingRepo, type OutgoingDoc, type OutgoingDetail, type StatusEvent } from './outgoing-repo.js';
export { IncomingRepo, type IncomingDoc, type IncomingFile, type IncomingState, type NewIncoming } from './incoming-repo.js';
export { DirectoryRepo, type OrgEntry } from './directory-repo.js';
export { CursorRepo } from './cursor-repo.js';
export { ArrivalFailureRepo, type ArrivalFailure } from './arrival-failure-repo.js';
export { searchDocuments, type SearchHit, type RegisterKind } from './search-index.js';
export { incomingCsv, outgoingCsv, BOM } from './register-csv.js';
export { vnYear, vnIso } from './vn-time.js';
export { SECRECY, isoFromEdxmlDate, metaFromJson, metaToJson, type DocMeta, type Priority, type Secrecy } from './doc-meta.js';

/** Every repository over one open database. */
export interface Store {
  readonly db: Db;
  readonly settings: SettingsRepo;
  readonly outbox: OutboxRepo;
  readonly outgoing: OutgoingRepo;
  readonly incoming: IncomingRepo;
  readonly directory: DirectoryRepo;
  readonly cursors: CursorRepo;
  readonly failures: ArrivalFailureRepo;
  close(): void;
}

/** Wraps an open database with every repository. */
export function storeOf(db: Db): Store {
  return {
    db,
    settings: new SettingsRepo(db),
    outbox: new OutboxRepo(db),
    outgoing: new OutgoingRepo(db),
    incoming: new IncomingRepo(db),
    directory: new DirectoryRepo(db),
    cursors: new CursorRepo(db),
    failures: new ArrivalFailureRepo(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}

/** Opens the store in a data directory (KYSO_HOME). */
export function openStore(home: string): Store {
  return storeOf(openDb(home));
}
