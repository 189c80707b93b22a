/** The sweeper keeps going when the store cannot move one orphan (left for the next sweep). */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LocalBlobStore } from '../../../server/blobs/local.js';
import { sweepOrphans } from '../../../server/blobs/sweeper.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

class Flaky extends LocalBlobStore {
  stuck = sha('stuck');
  override async quarantine(sha256: string, unmodifiedSince: Date) {
    if (sha256 === this.stuck) throw new Error('object store busy');
    return super.quarantine(sha256, unmodifiedSince);
  }
}

it('counts a failed removal, removes the other orphans, and the next sweep takes the one left', async () => {
  const store = new Flaky(dir);
  for (const s of ['stuck', 'orphan 1', 'orphan 2', 'kept']) await store.put(Buffer.from(s), sha(s));
  const refs = async (ids: string[]) => new Set(ids.filter((i) => i === sha('kept')));
  const later = { graceMs: 1000, now: () => new Date(Date.now() + 60_000) };
  expect(await sweepOrphans(store, refs, later)).toMatchObject({ orphans: 3, removed: 2, failed: 1, error: 'object store busy' });
  expect(await store.exists(sha('stuck'))).toBe(true);
  store.stuck = '';
  expect(await sweepOrphans(store, refs, later)).toMatchObject({ orphans: 1, removed: 1, failed: 0 });
  const left: string[] = [];
  for await (const b of store.list()) left.push(b.sha256);
  expect(left).toEqual([sha('kept')]);
});
