/** Sends a dropped file to the browser host in 4 MiB chunks (`file:upload`); answers its path there. */
import type { AppApi } from '../../../main/api/index.js';

const CHUNK = 4 * 1024 * 1024;

/** Base64 of bytes without building one huge string per character. */
function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Uploads `file`; the path on the host, or the reason it failed. */
export async function uploadFile(api: AppApi, file: File): Promise<{ ok: true; path: string } | { ok: false; message: string }> {
  let uploadId: string | undefined;
  for (let off = 0; off < file.size || off === 0; off += CHUNK) {
    const last = off + CHUNK >= file.size;
    const bytes = new Uint8Array(await file.slice(off, off + CHUNK).arrayBuffer());
    const r = await api['file:upload']({ ...(uploadId ? { uploadId } : {}), name: file.name, base64: toBase64(bytes), last });
    if (!r.ok) return { ok: false, message: r.error.message };
    uploadId = r.value.uploadId;
    if (last) return r.value.path ? { ok: true, path: r.value.path } : { ok: false, message: file.name };
  }
  return { ok: false, message: file.name };
}
