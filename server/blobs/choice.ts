/**
 * The blob store a data directory uses, remembered in DATA/server.json beside the database
 * choice: a server started once with `--blobs s3://...` keeps using it (and `kyso server
 * sweep` sweeps it) without the option, never silently falling back to an empty local store.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseBlobsSpec } from './open.js';

const CONFIG = 'server.json';

/** The `--blobs` value to use: the given one (saved when new), else the saved one, else local. */
export function rememberBlobs(dataDir: string, spec: string | undefined): string {
  const file = path.join(dataDir, CONFIG);
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  if (spec === undefined) return typeof saved.blobs === 'string' ? saved.blobs : 'local';
  parseBlobsSpec(spec);
  if (saved.blobs !== spec && !(spec === 'local' && saved.blobs === undefined)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify({ ...saved, blobs: spec }, null, 2));
  }
  return spec;
}
