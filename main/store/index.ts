/** The local store: one database, one repository per aggregate. */
import { openDb, type Db } from './db.js';
import { SettingsRepo } from './settings-repo.js';

export { openDb, openMemoryDb, DB_FILE, type Db } from './db.js';
export { SettingsRepo, type JsonValue } from './settings-repo.js';

/** Every repository over one open database. */
export interface Store {
  readonly db: Db;
  readonly settings: SettingsRepo;
  close(): void;
}

/** Opens the store in a data directory (KYSO_HOME). */
export function openStore(home: string): Store {
  const db = openDb(home);
  return {
    db,
    settings: new SettingsRepo(db),
    close: () => db.close(),
  };
}
