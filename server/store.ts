/** Opens the server's data directory: database (SQLite default or PostgreSQL), trust material. */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { toDer } from '../main/pki/cert.js';
import { readCertFiles } from '../main/pki/cert-file.js';
import { migrateServer } from './db/migrate.js';
import { openPostgres, openSqlite } from './db/sql.js';
import { Repo } from './db/repo.js';

/** Which database: 'sqlite' (DATA/kyso-server.db) or a postgres:// URL. */
export interface DbChoice {
  db?: string;
  /** PostgreSQL schema (tests isolate runs with it). */
  pgSchema?: string;
}

const CONFIG = 'server.json';

/** Opens (creating and migrating) the repository of a data directory; remembers the db choice. */
export async function openRepo(dataDir: string, choice: DbChoice = {}): Promise<Repo> {
  mkdirSync(dataDir, { recursive: true });
  const cfgPath = path.join(dataDir, CONFIG);
  const saved = existsSync(cfgPath) ? (JSON.parse(readFileSync(cfgPath, 'utf8')) as DbChoice & Record<string, unknown>) : {};
  const db = choice.db ?? saved.db ?? 'sqlite';
  const pgSchema = choice.pgSchema ?? saved.pgSchema;
  if (choice.db && choice.db !== saved.db) writeFileSync(cfgPath, JSON.stringify({ ...saved, db, ...(pgSchema ? { pgSchema } : {}) }, null, 2)); // other keys (blobs) kept
  const conn = /^postgres(ql)?:\/\//.test(db) ? await openPostgres(db, pgSchema) : openSqlite(path.join(dataDir, 'kyso-server.db'));
  try {
    await migrateServer(conn);
  } catch (e) {
    await conn.close();
    throw e;
  }
  return new Repo(conn);
}

/** Certificates (DER) from PEM/DER/P7B files, plus every file in DATA/trust. */
export function loadAnchors(dataDir: string, files: string[] = []): Buffer[] {
  const dir = path.join(dataDir, 'trust');
  const all = [...files, ...(existsSync(dir) ? readdirSync(dir).map((f) => path.join(dir, f)) : [])];
  return readCertFiles(all);
}

/** CRLs (DER or PEM) from DATA/crl. */
export function loadCrls(dataDir: string, files: string[] = []): Buffer[] {
  const dir = path.join(dataDir, 'crl');
  const all = [...files, ...(existsSync(dir) ? readdirSync(dir).map((f) => path.join(dir, f)) : [])];
  return all.map((f) => Buffer.from(toDer(readFileSync(f))));
}
