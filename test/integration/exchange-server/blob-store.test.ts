/**
 * The blob store contract, run against both stores: the local directory and S3 (Ceph's RADOS
 * Gateway, the real S3 implementation, on a one-node cluster: test/bed/s3.ts). put/get/stat/
 * exists/delete; a large object streamed in and out with bounded memory (RSS of this process
 * sampled while it streams); a hash mismatch refused with nothing visible or left behind;
 * concurrent puts of the same bytes; the orphan sweeper with its grace period, racing
 * uploads and a second sweeper.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../../server/blobs/local.js';
import { S3BlobStore, type S3Tuning } from '../../../server/blobs/s3.js';
import type { BlobStore } from '../../../server/blobs/store.js';
import { sweepOrphans, type RefCheck } from '../../../server/blobs/sweeper.js';
import { startTestS3 } from '../../bed/s3.js';

const MIB = 1 << 20;
const s3 = await startTestS3();
if ('skip' in s3) console.warn(`\n*** ${s3.skip} ***\n`);
else if (s3.startMs !== undefined) console.log(`Ceph RGW started in ${s3.startMs} ms`);
const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-blobs-'));

afterAll(async () => {
  if (!('skip' in s3)) await s3.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Deterministic bytes: `size` bytes in 1 MiB chunks derived from `seed`. */
async function* bytes(seed: string, size: number): AsyncGenerator<Buffer> {
  for (let off = 0, i = 0; off < size; off += MIB, i++) {
    const n = Math.min(MIB, size - off);
    const b = Buffer.allocUnsafe(n);
    b.fill(createHash('sha256').update(`${seed}:${i}`).digest());
    yield b;
  }
}

async function shaOf(source: AsyncIterable<Buffer | Uint8Array> | Readable): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const c of source) {
    h.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { sha256: h.digest('hex'), size };
}

const shaHex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Highest RSS of this process while `fn` runs, above the RSS before it. */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growthMb: Math.round((peak - base) / MIB) };
  } finally {
    clearInterval(timer);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; params: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; params: Record<string, unknown> };
  }
  throw new Error('expected a failure');
}

interface Kind {
  name: string;
  skip?: string;
  make(dir: string, tuning?: S3Tuning): Promise<BlobStore>;
  /** Unfinished writes the store holds (scratch files; S3 multipart uploads). */
  unfinished(store: BlobStore): Promise<number>;
}

const kinds: Kind[] = [
  {
    name: 'local directory',
    make: async (dir) => new LocalBlobStore(dir),
    unfinished: async (store) => readdirSync(store.scratchDir).length,
  },
  {
    name: 'S3 (Ceph RGW)',
    ...('skip' in s3 ? { skip: s3.skip } : {}),
    make: async (dir, tuning = { partSize: 5 * MIB }) => {
      if ('skip' in s3) throw new Error(s3.skip);
      return S3BlobStore.open(s3.settings(await s3.bucket()), 'province/blobs', dir, tuning);
    },
    unfinished: async (store) => {
      const s = store as S3BlobStore;
      return (await all(s.api.uploads(''))).length + readdirSync(store.scratchDir).length;
    },
  },
];

let n = 0;
const freshDir = () => path.join(work, `d${++n}`);

describe.each(kinds)('blob store contract: $name', (kind) => {
  const run = kind.skip ? it.skip : it;

  run('puts, gets, stats, lists and deletes; an existing blob is kept without reading the source again', async () => {
    const store = await kind.make(freshDir());
    const data = Buffer.from('<edXMLEnvelope>xin chào</edXMLEnvelope>');
    const id = shaHex(data);
    expect(await store.exists(id)).toBe(false);
    expect(await store.stat(id)).toBeUndefined();
    expect(await store.put(data, id)).toEqual({ created: true });
    expect(await store.exists(id)).toBe(true);
    const st = await store.stat(id);
    expect(st?.size).toBe(data.length);
    expect(Math.abs(st!.modified.getTime() - Date.now())).toBeLessThan(60_000);
    expect(Buffer.concat(await all(await store.get(id)))).toEqual(data);
    // The bytes are not read again (the source would throw).
    const never = (async function* () {
      yield Buffer.from('x');
      throw new Error('read');
    })();
    expect(await store.put(never, id)).toEqual({ created: false });
    expect((await all(store.list())).map((b) => b.sha256)).toEqual([id]);
    // An empty blob is a blob too.
    expect(await store.put(Buffer.alloc(0), shaHex(''))).toEqual({ created: true });
    expect(Buffer.concat(await all(await store.get(shaHex(''))))).toHaveLength(0);
    await store.delete(id);
    await store.delete(id);
    expect(await store.exists(id)).toBe(false);
    expect(await failure(store.get(id))).toMatchObject({ code: 'blobMissing', params: { sha256: id } });
    expect(await failure(store.exists('../../etc/passwd'))).toMatchObject({ code: 'exBadRequest' });
    expect(await kind.unfinished(store)).toBe(0);
  });

  run('streams a 256 MiB object in and out with bounded memory', async () => {
    const store = await kind.make(freshDir(), {});
    const size = 256 * MIB;
    const { sha256 } = await shaOf(bytes('big', size));
    const t0 = performance.now();
    const up = await peakRss(() => store.put(bytes('big', size), sha256));
    const t1 = performance.now();
    expect(up.result).toEqual({ created: true });
    const down = await peakRss(async () => shaOf(await store.get(sha256)));
    const t2 = performance.now();
    expect(down.result).toEqual({ sha256, size });
    console.log(`${kind.name}: 256 MiB put ${Math.round(t1 - t0)} ms (RSS +${up.growthMb} MB), get ${Math.round(t2 - t1)} ms (RSS +${down.growthMb} MB)`);
    // A store that buffered the object would grow by 256 MB or more.
    expect(up.growthMb).toBeLessThan(96);
    expect(down.growthMb).toBeLessThan(96);
    expect((await store.stat(sha256))?.size).toBe(size);
    expect(await kind.unfinished(store)).toBe(0);
  }, 300_000);

  run('refuses bytes that do not hash to the id, small or multipart, and leaves nothing visible or unfinished', async () => {
    const store = await kind.make(freshDir());
    const claimed = shaHex('something else');
    expect(await failure(store.put(Buffer.from('tampered'), claimed))).toMatchObject({ code: 'blobHashMismatch', params: { expected: claimed, actual: shaHex('tampered') } });
    expect(await failure(store.put(bytes('multi', 12 * MIB), claimed))).toMatchObject({ code: 'blobHashMismatch', params: { expected: claimed } });
    const file = path.join(work, `f${++n}`);
    writeFileSync(file, 'on disk');
    expect(await failure(store.putFile(file, claimed))).toMatchObject({ code: 'blobHashMismatch' });
    expect(await store.exists(claimed)).toBe(false);
    expect(await all(store.list())).toEqual([]);
    expect(await kind.unfinished(store)).toBe(0);
    // A source that fails half-way leaves nothing either.
    const broken = (async function* () {
      yield* bytes('broken', 7 * MIB);
      throw new Error('client went away');
    })();
    expect(await failure(store.put(broken, claimed))).toMatchObject({ message: 'client went away' });
    expect(await all(store.list())).toEqual([]);
    expect(await kind.unfinished(store)).toBe(0);
    // putFile stores a file it then leaves to its owner.
    expect(await store.putFile(file, shaHex('on disk'))).toEqual({ created: true });
    expect(Buffer.concat(await all(await store.get(shaHex('on disk')))).toString()).toBe('on disk');
    expect(readdirSync(path.dirname(file))).toContain(path.basename(file));
  });

  run('concurrent puts of the same bytes all succeed and store one intact blob', async () => {
    const store = await kind.make(freshDir());
    const size = 12 * MIB + 123;
    const { sha256 } = await shaOf(bytes('same', size));
    const results = await Promise.all([1, 2, 3, 4].map(() => store.put(bytes('same', size), sha256)));
    expect(results.some((r) => r.created)).toBe(true);
    expect(await shaOf(await store.get(sha256))).toEqual({ sha256, size });
    expect((await all(store.list())).map((b) => b.sha256)).toEqual([sha256]);
    expect(await kind.unfinished(store)).toBe(0);
  }, 120_000);

  run('sweeps orphans older than the grace period, keeps referenced and young blobs, recovers a dead sweeper', async () => {
    const store = await kind.make(freshDir());
    const put = async (text: string) => {
      const id = shaHex(text);
      await store.put(Buffer.from(text), id);
      return id;
    };
    const [kept, orphan, racer, deadRef, deadOrphan] = await Promise.all(['referenced', 'orphan', 'gains a reference', 'dead sweeper kept', 'dead sweeper orphan'].map(put));
    // S3 times have whole seconds: the young blob is written clearly after the cutoff.
    await sleep(2100);
    const cutoff = Date.now() - 1000;
    const young = await put('young orphan');
    const refs = new Set([kept!, deadRef!]);
    let calls = 0;
    // The second read of references (after the candidates were moved aside) sees a new one,
    // as when an upload of the same bytes commits its row during the sweep.
    const check: RefCheck = async (ids) => {
      calls++;
      if (calls === 3) refs.add(racer!);
      return new Set(ids.filter((i) => refs.has(i)));
    };
    // A sweeper that died with two blobs in quarantine.
    const future = new Date(Date.now() + 3_600_000);
    expect(await store.quarantine(deadRef!, future)).toBeDefined();
    expect(await store.quarantine(deadOrphan!, future)).toBeDefined();
    expect(await store.exists(deadRef!)).toBe(false);
    const grace = 3_600_000;
    const now = () => new Date(cutoff + grace);
    const dry = await sweepOrphans(store, async (ids) => new Set(ids.filter((i) => refs.has(i))), { graceMs: grace, now, dryRun: true });
    expect(dry).toMatchObject({ orphans: 2, removed: 0, recovered: 0 });
    expect(await store.exists(orphan!)).toBe(true);
    const report = await sweepOrphans(store, check, { graceMs: grace, now, staleQuarantineMs: 0 });
    expect(report).toMatchObject({ scanned: 5, orphans: 2, removed: 1, restored: 1, recovered: 2 });
    expect(await store.exists(kept!)).toBe(true);
    expect(await store.exists(racer!)).toBe(true);
    expect(await store.exists(young!)).toBe(true);
    expect(await store.exists(deadRef!)).toBe(true);
    expect(await store.exists(orphan!)).toBe(false);
    expect(await store.exists(deadOrphan!)).toBe(false);
    expect(await all(store.listQuarantined())).toEqual([]);
    expect(Buffer.concat(await all(await store.get(racer!))).toString()).toBe('gains a reference');
  }, 60_000);

  run('removes unfinished writes older than the grace period only', async () => {
    const store = await kind.make(freshDir());
    const stale = path.join(store.scratchDir, 'crashed-upload');
    writeFileSync(stale, 'half a package');
    utimesSync(stale, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
    const inFlight = path.join(store.scratchDir, 'uploading-now');
    writeFileSync(inFlight, 'still arriving');
    let s3Uploads = 0;
    if (store instanceof S3BlobStore) {
      await store.api.createUpload('province/blobs/blobs/' + shaHex('never completed'));
      s3Uploads = 1;
    }
    expect(await kind.unfinished(store)).toBe(2 + s3Uploads);
    // Grace 1 h: the stale file goes, the fresh file and (now) fresh multipart upload stay.
    expect(await sweepOrphans(store, async () => new Set(), { graceMs: 3_600_000 })).toMatchObject({ partial: 1 });
    expect(readdirSync(store.scratchDir)).toEqual(['uploading-now']);
    expect(await kind.unfinished(store)).toBe(1 + s3Uploads);
    // An hour later the multipart upload is stale too.
    expect(await sweepOrphans(store, async () => new Set(), { graceMs: 3_600_000, now: () => new Date(Date.now() + 7_200_000) })).toMatchObject({ partial: 1 + s3Uploads });
    expect(await kind.unfinished(store)).toBe(0);
  });

  run('two sweepers at once remove every orphan once and never a referenced blob', async () => {
    const store = await kind.make(freshDir());
    const ids = await Promise.all(Array.from({ length: 24 }, async (_, i) => {
      const id = shaHex(`blob ${i}`);
      await store.put(Buffer.from(`blob ${i}`), id);
      return id;
    }));
    const refs = new Set(ids.filter((_, i) => i % 4 === 0));
    const check: RefCheck = async (q) => new Set(q.filter((i) => refs.has(i)));
    const opts = { graceMs: 1000, now: () => new Date(Date.now() + 120_000), batch: 5 };
    const [a, b] = await Promise.all([sweepOrphans(store, check, opts), sweepOrphans(store, check, opts)]);
    // S3 has no rename: both sweepers may move the same orphan aside (each counts it).
    expect(a.removed + b.removed).toBeGreaterThanOrEqual(18);
    expect(a.restored + b.restored).toBe(0);
    for (const id of ids) expect(await store.exists(id)).toBe(refs.has(id));
    expect(await all(store.listQuarantined())).toEqual([]);
  }, 60_000);
});
