/** Positional reads on an open file: the reader never loads a whole PDF into memory. */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { KysoError } from '../api/errors.js';

/** A read-only file accessed by offset. */
export class FileSource {
  /** Total bytes read so far (lets tests and benches prove that reading stays lazy). */
  bytesRead = 0;
  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly size: number,
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
    return new FileSource(fh, path, size);
  }

  /** Reads up to `length` bytes at `offset` (clamped to the file end). */
  async read(offset: number, length: number): Promise<Buffer> {
    const start = Math.max(0, Math.min(offset, this.size));
    const len = Math.max(0, Math.min(length, this.size - start));
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

  /** Closes the handle. */
  async close(): Promise<void> {
    await this.fh.close();
  }
}
