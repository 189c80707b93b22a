/**
 * Choosing files where there is no native dialog (the browser host): `file:listDir` lists a
 * folder of the user's own computer for the in-page file picker, and `file:upload` takes a
 * file dropped on the page (the browser does not reveal its path) into KYSO_HOME/uploads.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KysoError } from '../api/errors.js';

/** One entry of a folder. */
export interface DirEntry {
  name: string;
  kind: 'dir' | 'file';
  size: number;
  modified: string;
}

/** Places offered at the side of the picker: home and its usual folders that exist. */
export function places(home: string, extra: string[] = []): Array<{ name: string; path: string }> {
  const h = os.homedir();
  const candidates = [h, ...['Desktop', 'Documents', 'Downloads', 'Tài liệu', 'Văn bản'].map((d) => path.join(h, d)), ...extra, path.join(home, 'uploads')];
  return [...new Set(candidates)].filter((p) => existsSync(p)).map((p) => ({ name: p === h ? '~' : path.basename(p), path: p }));
}

/** Lists a folder: folders first, then files (only those with `extensions`, when given); hidden entries left out. */
export async function listDir(dir: string | undefined, extensions: string[] | undefined): Promise<{ path: string; parent: string | null; entries: DirEntry[] }> {
  const full = path.resolve(dir ?? os.homedir());
  let names: string[];
  try {
    names = await readdir(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new KysoError(code === 'ENOENT' ? 'fileNotFound' : code === 'ENOTDIR' ? 'fileNotFolder' : 'fileAccessDenied', { path: full });
  }
  const exts = extensions?.map((e) => `.${e.toLowerCase()}`);
  const entries: DirEntry[] = [];
  for (const name of names.slice(0, 5000)) {
    if (name.startsWith('.')) continue;
    const s = await stat(path.join(full, name)).catch(() => null);
    if (!s) continue;
    if (s.isDirectory()) entries.push({ name, kind: 'dir', size: 0, modified: s.mtime.toISOString() });
    else if (s.isFile() && (!exts || exts.includes(path.extname(name).toLowerCase()))) entries.push({ name, kind: 'file', size: s.size, modified: s.mtime.toISOString() });
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, 'vi') : a.kind === 'dir' ? -1 : 1));
  const parent = path.dirname(full);
  return { path: full, parent: parent === full ? null : parent, entries };
}

/** A file name safe to create: the last path part, no control characters or separators, bounded. */
export function safeUploadName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '').trim().slice(0, 150);
  return base || 'tep-tai-len';
}

/** Largest file taken by upload. */
export const maxUploadBytes = 200 * 1024 * 1024;

interface Upload {
  temp: string;
  final: string;
  size: number;
}

/** Uploads in progress, by id (one per dropped file). */
export class Uploads {
  private readonly open = new Map<string, Upload>();
  constructor(private readonly home: string) {}

  /** Appends a chunk (base64); the first call (no id) starts the file, `last` puts it in place. */
  async chunk(input: { uploadId?: string; name: string; base64: string; last: boolean }): Promise<{ uploadId: string; path: string | null }> {
    let id = input.uploadId;
    let u = id ? this.open.get(id) : undefined;
    if (id && !u) throw new KysoError('uploadUnknown');
    if (!u) {
      const day = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
      const dir = path.join(this.home, 'uploads', day);
      mkdirSync(dir, { recursive: true });
      const name = safeUploadName(input.name);
      const ext = path.extname(name);
      let final = path.join(dir, name);
      for (let n = 2; existsSync(final); n++) final = path.join(dir, `${path.basename(name, ext)} (${n})${ext}`);
      id = randomUUID();
      u = { temp: path.join(dir, `.${id}.part`), final, size: 0 };
      this.open.set(id, u);
    }
    const data = Buffer.from(input.base64, 'base64');
    u.size += data.length;
    if (u.size > maxUploadBytes) {
      this.open.delete(id!);
      rmSync(u.temp, { force: true });
      throw new KysoError('uploadTooLarge', { max: maxUploadBytes });
    }
    await new Promise<void>((resolve, reject) => {
      const w = createWriteStream(u!.temp, { flags: 'a' });
      w.on('error', reject);
      w.end(data, () => resolve());
    });
    if (!input.last) return { uploadId: id!, path: null };
    this.open.delete(id!);
    renameSync(u.temp, u.final);
    return { uploadId: id!, path: u.final };
  }

  /** Removes unfinished uploads (on close). */
  close(): void {
    for (const u of this.open.values()) if (existsSync(u.temp) && statSync(u.temp).isFile()) rmSync(u.temp, { force: true });
    this.open.clear();
  }
}
