/** Content-addressed blob store on disk: DATA/blobs/ab/<sha256>; writes land in DATA/tmp first. */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { open, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** Blob store rooted at a data directory. */
export class Blobs {
  readonly tmpDir: string;
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'blobs');
    this.tmpDir = path.join(dataDir, 'tmp');
    mkdirSync(this.root, { recursive: true });
    mkdirSync(this.tmpDir, { recursive: true });
  }

  /** A fresh temp path (same filesystem as the store, so commit is a rename). */
  tmpPath(): string {
    return path.join(this.tmpDir, randomUUID());
  }

  /** Where a blob lives. */
  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('bad blob id');
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Removes a blob no row refers to (a package whose registration lost a race). */
  async remove(sha256: string): Promise<void> {
    await unlink(this.pathOf(sha256)).catch(() => undefined);
  }

  /** True when the blob is stored. */
  has(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  /** Moves a verified temp file into the store (fsync first: a row never points at a torn file). */
  async commit(tmp: string, sha256: string): Promise<void> {
    const dest = this.pathOf(sha256);
    if (existsSync(dest)) {
      await unlink(tmp);
      return;
    }
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    mkdirSync(path.dirname(dest), { recursive: true });
    await rename(tmp, dest);
  }

  /** Stores small bytes (status messages). */
  async put(data: Buffer, sha256: string): Promise<void> {
    const tmp = this.tmpPath();
    await writeFile(tmp, data);
    await this.commit(tmp, sha256);
  }

  /** Streams a blob. */
  read(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }
}
