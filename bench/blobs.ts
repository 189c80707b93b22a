/**
 * The inbox server's blob stores side by side: the local directory and S3 (Ceph RGW on a
 * one-node cluster, test/bed/s3.ts). Start-up time of the S3 server, then for one object of
 * 256 MiB streamed in and out: time, MB/s and the peak RSS growth of this process.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalBlobStore } from '../server/blobs/local.js';
import { S3BlobStore } from '../server/blobs/s3.js';
import type { BlobStore } from '../server/blobs/store.js';
import { startTestS3 } from '../test/bed/s3.js';

const MIB = 1 << 20;
const SIZE = 256 * MIB;

async function* bytes(size: number): AsyncGenerator<Buffer> {
  for (let off = 0, i = 0; off < size; off += MIB, i++) {
    const b = Buffer.allocUnsafe(Math.min(MIB, size - off));
    b.fill(createHash('sha256').update(`bench:${i}`).digest());
    yield b;
  }
}

async function measure(fn: () => Promise<unknown>): Promise<{ ms: number; rssMb: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return { ms: performance.now() - t0, rssMb: Math.round((Math.max(peak, process.memoryUsage().rss) - base) / MIB) };
}

async function run(name: string, store: BlobStore, sha256: string): Promise<Record<string, string | number>> {
  const put = await measure(() => store.put(bytes(SIZE), sha256));
  const get = await measure(async () => {
    const h = createHash('sha256');
    for await (const c of await store.get(sha256)) h.update(c as Buffer);
    if (h.digest('hex') !== sha256) throw new Error('read back differs');
  });
  const mbs = (ms: number) => Math.round(SIZE / MIB / (ms / 1000));
  return { store: name, 'put ms': Math.round(put.ms), 'put MB/s': mbs(put.ms), 'put RSS +MB': put.rssMb, 'get ms': Math.round(get.ms), 'get MB/s': mbs(get.ms), 'get RSS +MB': get.rssMb };
}

/** Prints the table (the S3 row is missing, with the reason, when RGW cannot start here). */
export async function benchBlobs(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-bench-blobs-'));
  const s3 = await startTestS3();
  try {
    const h = createHash('sha256');
    for await (const c of bytes(SIZE)) h.update(c);
    const sha256 = h.digest('hex');
    const rows = [await run('local directory', new LocalBlobStore(path.join(work, 'local')), sha256)];
    if ('skip' in s3) console.log(s3.skip);
    else {
      console.log(`Ceph RGW start-up: ${s3.startMs === undefined ? 'reused (already running)' : `${s3.startMs} ms`}`);
      const store = await S3BlobStore.open(s3.settings(await s3.bucket()), 'bench', path.join(work, 's3'));
      rows.push(await run('S3 (Ceph RGW, 8 MiB parts x2)', store, sha256));
    }
    console.log(`object: ${SIZE / MIB} MiB, streamed (never held whole in memory)`);
    console.table(rows);
  } finally {
    if (!('skip' in s3)) await s3.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
