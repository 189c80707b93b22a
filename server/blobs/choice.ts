/**
 * The blob store a data directory uses, remembered in DATA/server.json beside the database
 * choice: a server started once with `--blobs s3://...` keeps using it (and `kyso server
 * sweep` sweeps it) without the option, never silently falling back to an empty local store.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseBlobsSpec } from './open.js';

const CONFIG = 'server.json';

function saved(dataDir: string): Record<string, unknown> {
  const file = path.join(dataDir, CONFIG);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

/** The `--blobs` value to use: the given one, else the saved one, else local. */
export function chosenBlobs(dataDir: string, spec: string | undefined): string {
  if (spec !== undefined) {
    parseBlobsSpec(spec);
    return spec;
  }
  const s = saved(dataDir).blobs;
  return typeof s === 'string' ? s : 'local';
}

/** Remembers a choice that worked (a store that did not open is never saved). */
export function saveBlobs(dataDir: string, spec: string): void {
  const s = saved(dataDir);
  if (s.blobs === spec || (spec === 'local' && s.blobs === undefined)) return;
  writeFileSync(path.join(dataDir, CONFIG), JSON.stringify({ ...s, blobs: spec }, null, 2));
}
