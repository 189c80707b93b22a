/** Positional reads on an open file: the reader never loads a whole PDF into memory. */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { KysoError } from '../api/errors.js';

const BLOCK = 64 * 1024;

/**
 * Blocks of one file shared by several sources on it (the prefix views of validation read the
 * same objects again and again: served from memory instead of a system call each). Bounded.
 */
export class BlockCache {
  private readonly blocks = new Map<number, Buffer>();
  constructor(private readonly max = 256) {}
  /** The cached block `i`, refreshed as most recent. */
  get(i: number): Buffer | undefined {
    const b = this.blocks.get(i);
    if (b) {
      this.blocks.delete(i);
      this.blocks.set(i, b);
    }
    return b;
  }
  /** Stores block `i`, dropping the oldest beyond the bound. */
  set(i: number, b: Buffer): void {
    this.blocks.set(i, b);
    if (this.blocks.size > this.max) this.blocks.delete(this.blocks.keys().next().value as number);
  }
}

/** A read-only file accessed by offset. */
export class FileSource {
  /** Total bytes read so far (lets tests and benches prove that reading stays lazy). */
  bytesRead = 0;
  /** Blocks shared with other sources on the same file (small reads only). */
  blocks: BlockCache | undefined;
  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly size: number,
    /** The real file size (a prefix view's `size` is its limit). */
    private readonly fileSize: number,
  ) {}

  /**
   * Opens `path` for reading; a missing file gives fileNotFound. With `limit`, the source ends
   * there (a view of the file prefix `[0, limit)`, e.g. the revision a signature covers).
   */
  static async open(path: string, limit?: number): Promise<FileSource> {
    let fh: FileHandle;
    try {
      // Checked before opening: opening a FIFO nobody writes to never returns.
      if (!(await stat(path)).isFile()) throw new KysoError('fileNotRegular', { path });
      fh = await open(path, 'r');
    } catch (e) {
      if (e instanceof KysoError) throw e;
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new KysoError('fileNotFound', { path }, { cause: e });
      throw new KysoError('pdfRead', { path, detail: (e as NodeJS.ErrnoException).code ?? String(e) }, { cause: e });
    }
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new KysoError('fileNotRegular', { path });
    }
    const size = limit !== undefined && Number.isSafeInteger(limit) && limit >= 0 ? Math.min(st.size, limit) : st.size;
    return new FileSource(fh, path, size, st.size);
  }

  /** Reads up to `length` bytes at `offset` (clamped to the file end). */
  async read(offset: number, length: number): Promise<Buffer> {
    const start = Math.max(0, Math.min(offset, this.size));
    const len = Math.max(0, Math.min(length, this.size - start));
    if (this.blocks && len > 0 && len <= 4 * BLOCK) return this.readBlocks(start, len);
    const buf = Buffer.allocUnsafe(len);
    let done = 0;
    while (done < len) {
      const { bytesRead } = await this.fh.read(buf, done, len - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    this.bytesRead += done;
    return done === len ? buf : buf.subarray(0, done);
  }

  /** `[start, start + len)` assembled from shared blocks (each block read whole once). */
  private async readBlocks(start: number, len: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(len);
    for (let i = Math.floor(start / BLOCK); i * BLOCK < start + len; i++) {
      let b = this.blocks!.get(i);
      if (!b) {
        const at = i * BLOCK;
        const want = Math.min(BLOCK, this.fileSize - at);
        b = Buffer.allocUnsafe(want);
        let done = 0;
        while (done < want) {
          const { bytesRead } = await this.fh.read(b, done, want - done, at + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        this.bytesRead += done;
        b = b.subarray(0, done);
        this.blocks!.set(i, b);
      }
      const from = Math.max(start, i * BLOCK);
      const to = Math.min(start + len, i * BLOCK + b.length);
      if (to > from) b.copy(out, from - start, from - i * BLOCK, to - i * BLOCK);
      if (i * BLOCK + b.length < Math.min(start + len, (i + 1) * BLOCK)) return out.subarray(0, Math.max(0, to - start));
    }
    return out;
  }

  /** Closes the handle. */
  async close(): Promise<void> {
    await this.fh.close();
  }
}
