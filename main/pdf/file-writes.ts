/** Writing updates: copies we can write to, and positional writes that write everything or fail. */
import { chmod, copyFile, stat, type FileHandle } from 'node:fs/promises';

/**
 * Copies `src` to `dest` for appending an update. copyFile copies the mode too: a read-only
 * input (0444, as files often arrive) gave a copy we could not open for writing. The copy
 * keeps the input's permissions plus read/write for its owner.
 */
export async function copyForUpdate(src: string, dest: string): Promise<void> {
  await copyFile(src, dest);
  const mode = (await stat(src)).mode & 0o777;
  if ((mode & 0o600) !== 0o600) await chmod(dest, mode | 0o600);
}

/**
 * Writes all of `data` at `position`. FileHandle.write may write less than asked, without an
 * error, when the disk fills up; a later truncate would then pad the gap with zeros and leave
 * a damaged file that looks complete. Short writes continue; no progress is ENOSPC.
 */
export async function writeFully(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw Object.assign(new Error('no space left on device (nothing written)'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}
