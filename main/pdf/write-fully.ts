/** Positional writes that either write everything or fail. */
import type { FileHandle } from 'node:fs/promises';

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
