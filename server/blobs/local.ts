/**
 * The blob store in a local directory (the default): DATA/blobs/ab/<sha256>. Writes go to
 * DATA/tmp first, are hashed and fsynced there, and become visible by a hard link, which
 * fails when the blob exists (so concurrent writers of the same bytes cannot tear it).
 * The sweeper's quarantine is DATA/trash.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { link, open, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KysoError, isKysoError } from '../../main/api/errors.js';
import { blobMissing, checkBlobId, chunksOf, hashMismatch, type BlobInfo, type BlobSource, type BlobStore, type Quarantined } from './store.js';

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** A disk failure as the user's error (full disk is its own message). */
function diskError(e: unknown, file: string): KysoError {
  if (isKysoError(e)) return e;
  if (errno(e) === 'ENOSPC') return new KysoError('diskFull', { path: file }, { cause: e });
  return new KysoError('fileWrite', { path: file, detail: errno(e) ?? String(e) }, { cause: e });
}

async function fsync(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Blob store rooted at a data directory. */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local';
  readonly location: string;
  readonly scratchDir: string;
  private readonly root: string;
  private readonly trash: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'blobs');
    this.scratchDir = path.join(dataDir, 'tmp');
    this.trash = path.join(dataDir, 'trash');
    this.location = this.root;
    for (const d of [this.root, this.scratchDir, this.trash]) mkdirSync(d, { recursive: true });
  }

  scratchPath(): string {
    return path.join(this.scratchDir, randomUUID());
  }

  /** Where a blob lives. */
  pathOf(sha256: string): string {
    checkBlobId(sha256);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== undefined;
  }

  async stat(sha256: string): Promise<BlobInfo | undefined> {
    try {
      const s = await stat(this.pathOf(sha256));
      return { sha256, size: s.size, modified: s.mtime };
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  async put(source: BlobSource, sha256: string): Promise<{ created: boolean }> {
    if (await this.exists(sha256)) return { created: false };
    const tmp = this.scratchPath();
    // The source's own failure (a client that went away) is passed on as it is, not as a disk error.
    let sourceFailed = false;
    try {
      const h = createHash('sha256');
      const hashed = async function* () {
        try {
          for await (const c of chunksOf(source)) {
            h.update(c);
            yield c;
          }
        } catch (e) {
          sourceFailed = true;
          throw e;
        }
      };
      await pipeline(Readable.from(hashed()), createWriteStream(tmp, { flags: 'wx' }));
      const actual = h.digest('hex');
      if (actual !== sha256) throw hashMismatch(sha256, actual);
      return await this.publish(tmp, sha256);
    } catch (e) {
      throw sourceFailed ? e : diskError(e, tmp);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  /**
   * Hashes the file, then links it in when it is on this filesystem (no copy; the caller must
   * not change the file afterwards), else copies it like put.
   */
  async putFile(file: string, sha256: string): Promise<{ created: boolean }> {
    if (await this.exists(sha256)) return { created: false };
    const h = createHash('sha256');
    for await (const c of createReadStream(file)) h.update(c as Buffer);
    const actual = h.digest('hex');
    if (actual !== sha256) throw hashMismatch(sha256, actual);
    try {
      return await this.publish(file, sha256);
    } catch (e) {
      if (errno(e) !== 'EXDEV') throw diskError(e, file);
      return this.put(createReadStream(file), sha256);
    }
  }

  /** Makes a verified file visible under its id (fsync first: a row never points at a torn file). */
  private async publish(file: string, sha256: string): Promise<{ created: boolean }> {
    await fsync(file);
    const dest = this.pathOf(sha256);
    mkdirSync(path.dirname(dest), { recursive: true });
    try {
      await link(file, dest);
      return { created: true };
    } catch (e) {
      if (errno(e) === 'EEXIST') return { created: false };
      throw e;
    }
  }

  async get(sha256: string): Promise<Readable> {
    const file = this.pathOf(sha256);
    try {
      // Opened here, so a missing blob is an error before any byte is answered.
      const fh = await open(file, 'r');
      return fh.createReadStream();
    } catch (e) {
      if (errno(e) === 'ENOENT') throw blobMissing(sha256, this.location);
      throw e;
    }
  }

  async delete(sha256: string): Promise<void> {
    await unlink(this.pathOf(sha256)).catch((e: unknown) => {
      if (errno(e) !== 'ENOENT') throw e;
    });
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const shard of (await readdir(this.root)).filter((d) => /^[0-9a-f]{2}$/.test(d)).sort()) {
      for (const name of await readdir(path.join(this.root, shard)).catch(() => [] as string[])) {
        if (!/^[0-9a-f]{64}$/.test(name) || !name.startsWith(shard)) continue;
        const info = await this.stat(name);
        if (info) yield info;
      }
    }
  }

  async quarantine(sha256: string, unmodifiedSince: Date): Promise<Quarantined | undefined> {
    const token = path.join(this.trash, `${sha256}.${randomUUID()}`);
    try {
      await rename(this.pathOf(sha256), token);
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw e;
    }
    const written = (await stat(token)).mtime;
    const now = new Date();
    await utimes(token, now, now);
    const q = { sha256, token, since: now };
    if (written > unmodifiedSince) {
      // Written again since the sweeper listed it: not an orphan candidate any more.
      await this.restore(q);
      return undefined;
    }
    return q;
  }

  async restore(q: Quarantined): Promise<void> {
    const dest = this.pathOf(q.sha256);
    mkdirSync(path.dirname(dest), { recursive: true });
    await link(q.token, dest).catch((e: unknown) => {
      if (errno(e) !== 'EEXIST') throw e;
    });
    await this.discard(q);
  }

  async discard(q: Quarantined): Promise<void> {
    await rm(q.token, { force: true });
  }

  async *listQuarantined(): AsyncIterable<Quarantined> {
    for (const name of await readdir(this.trash)) {
      const m = /^([0-9a-f]{64})\.[0-9a-f-]{36}$/.exec(name);
      if (!m) continue;
      const token = path.join(this.trash, name);
      const s = await stat(token).catch(() => undefined);
      if (s) yield { sha256: m[1]!, token, since: s.mtime };
    }
  }

  async sweepPartial(before: Date): Promise<number> {
    return sweepScratch(this.scratchDir, before);
  }
}

/** Removes what was left in a scratch directory before `before` (uploads of a crashed server). */
export async function sweepScratch(dir: string, before: Date): Promise<number> {
  let n = 0;
  for (const name of await readdir(dir)) {
    const f = path.join(dir, name);
    const s = await stat(f).catch(() => undefined);
    if (!s || s.mtime >= before) continue;
    await rm(f, { recursive: true, force: true });
    n++;
  }
  return n;
}
