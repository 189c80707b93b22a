/**
 * Issue 14.7 / 15.2: attachments other than PDFs are saved on request, never opened with the
 * OS. A crafted package (signed, from a fake inbox server on loopback) carries a Word file
 * (made with Info-ZIP), a Word file whose name hides its shape (bidi override, trailing dots
 * and spaces) and a program. `exchange:saveAttachment` through the real core copies only the
 * document's own received files (by message id and index), under the safe name with the
 * extension the bytes prove, never over an existing file unless asked, atomically.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../../../main/exchange/client/index.js';
import { createCore, type Core } from '../../../main/services/core.js';
import type { ShellHandlers } from '../../../main/services/types.js';
import { openStore } from '../../../main/store/index.js';
import { craftPackage, fakeItem, startFakeInbox, throwAwaySigner } from './fake-inbox.js';

const DOCX = readFileSync('test/fixtures/bien-ban.docx');
const PDF = readFileSync('test/fixtures/cong-van-mau.pdf');
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(64), Buffer.from('PE\0\0'), Buffer.alloc(200)]);
const WORD = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const MESSAGE = 'save-attachments-01';
const attachments = [
  { name: 'Công văn.pdf', bytes: PDF, contentType: 'application/pdf' },
  { name: 'Biên bản họp.docx', bytes: DOCX, contentType: WORD },
  { name: 'ho-so\u202Excod.exe. . ', bytes: DOCX, contentType: WORD },
  { name: 'Quyết định.pdf.exe', bytes: EXE, contentType: 'application/pdf' },
];

let dir: string;
let home: string;
let out: string;
let core: Core;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-save-'));
  home = path.join(dir, 'home');
  out = path.join(dir, 'Tài liệu');
  mkdirSync(out);
  const signer = await throwAwaySigner(dir);
  const body = await craftPackage(signer, dir, 'Gói có tệp Word', attachments);
  const server = await startFakeInbox(() => [{ item: fakeItem(1, MESSAGE, createHash('sha256').update(body).digest('hex'), body.length), body }]);
  const store = openStore(home);
  try {
    const client = new ExchangeClient({ store, home, server: server.url, signer: async () => signer, validator: async () => ({ status: 'NO_SIGNATURE', report: {} }) });
    expect(await client.sync()).toMatchObject({ received: 1 });
  } finally {
    store.close();
    await server.close();
  }
  const shell: ShellHandlers = {
    'dialog:openFiles': async () => ({ paths: [], native: false }),
    'dialog:saveFile': async () => ({ path: null, native: false }),
    'shell:openPath': async () => ({ opened: true }),
    'shell:showItemInFolder': async () => ({ opened: true }),
  };
  core = await createCore({ host: 'browser', home, lang: 'vi', shell });
});
afterAll(async () => {
  await core?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Saved = { ok: true; value: { path: string; name: string } } | { ok: false; error: { code: string; message: string } };
const save = (input: Record<string, unknown>) => core.call('exchange:saveAttachment', { messageId: MESSAGE, ...input }) as Promise<Saved>;
/** True when this process may mount a tmpfs (root with CAP_SYS_ADMIN). */
function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(path.join(os.tmpdir(), 'kyso-mount-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
/** Files in a folder other than the ones named (no temp file left behind). */
const leftovers = (folder: string, expected: string[]) => readdirSync(folder).filter((n) => !expected.includes(n));

describe('exchange:saveAttachment', () => {
  it('saves a received Word file into the chosen folder under its name, byte for byte', async () => {
    const r = await save({ index: 1, path: out });
    expect(r).toEqual({ ok: true, value: { path: path.join(out, 'Biên bản họp.docx'), name: 'Biên bản họp.docx' } });
    expect(readFileSync(path.join(out, 'Biên bản họp.docx')).equals(DOCX)).toBe(true);
    expect(leftovers(out, ['Biên bản họp.docx'])).toEqual([]);
  });

  it('keeps the safe name: no bidi override, no trailing dots or spaces, the extension the bytes prove', async () => {
    const r = await save({ index: 2, path: out });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const name = (r as { value: { name: string } }).value.name;
    expect(name).toBe('ho-soxcod.docx'); // the sender's '.exe' is not the type: the bytes are Word's
    expect(name).not.toMatch(/[\p{Cf}\p{Cc}]|[. ]$/u);
    expect(readFileSync(path.join(out, name)).equals(DOCX)).toBe(true);
    // A program is saved inert, as .bin, never as .exe or .pdf.
    const p = await save({ index: 3, path: out });
    expect(p.ok && p.value.name).toBe('Quyết định_pdf.bin');
    // A file name typed by the user is cleaned and given the real extension.
    const typed = await save({ index: 1, path: path.join(out, 'bien-ban-moi.exe\u202E') });
    expect(typed.ok && typed.value.name).toBe('bien-ban-moi_exe.docx');
    expect(readdirSync(out).every((n) => !/\.(exe|pdf)$/i.test(n))).toBe(true);
  });

  it('refuses to overwrite unless asked, then replaces the file atomically', async () => {
    const target = path.join(out, 'Biên bản họp.docx');
    writeFileSync(target, 'bản của người dùng');
    const r = await save({ index: 1, path: out });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('saveExists');
    expect(!r.ok && r.error.message).toContain('không ghi đè');
    expect(readFileSync(target, 'utf8')).toBe('bản của người dùng');
    // The same for a file path given by a save dialog.
    const again = await save({ index: 1, path: target });
    expect(!again.ok && again.error.code).toBe('saveExists');
    const forced = await save({ index: 1, path: target, overwrite: true });
    expect(forced.ok, JSON.stringify(forced)).toBe(true);
    expect(readFileSync(target).equals(DOCX)).toBe(true);
    expect(readdirSync(out).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('copies only the document\'s own received files, never a path from the caller', async () => {
    // The contract has no source path: an extra field is refused by the schema.
    const withSource = await save({ index: 1, path: out, source: '/etc/passwd' });
    expect(!withSource.ok && withSource.error.code).toBe('invalidInput');
    expect(existsSync(path.join(out, 'passwd'))).toBe(false);
    const noFile = await save({ index: 9, path: out });
    expect(!noFile.ok && noFile.error.code).toBe('saveNoSuchFile');
    const noDoc = await core.call('exchange:saveAttachment', { messageId: 'khong-co', index: 0, path: out });
    expect(!noDoc.ok && noDoc.error.code).toBe('inboxUnknownMessage');
    // A received file changed on disk afterwards is not passed on as what was received.
    const stored = readdirSync(path.join(home, 'inbox', MESSAGE)).find((n) => n.startsWith('02-'))!;
    const storedPath = path.join(home, 'inbox', MESSAGE, stored);
    const original = readFileSync(storedPath);
    writeFileSync(storedPath, Buffer.concat([original, Buffer.from('x')]));
    try {
      const changed = await save({ index: 1, path: path.join(out, 'doi.docx') });
      expect(!changed.ok && changed.error.code).toBe('saveChanged');
      expect(existsSync(path.join(out, 'doi.docx'))).toBe(false);
    } finally {
      writeFileSync(storedPath, original);
    }
    // Nor into Kyso's own folder of received documents.
    const inside = await save({ index: 1, path: path.join(home, 'inbox', MESSAGE) });
    expect(!inside.ok && inside.error.code).toBe('saveIntoInbox');
  });

  it('says clearly when the folder is missing', async () => {
    const missing = await save({ index: 1, path: path.join(dir, 'khong-co', 'a.docx') });
    expect(!missing.ok && missing.error.code).toBe('saveFolderMissing');
    expect(!missing.ok && missing.error.message).toContain('Không có thư mục');
  });

  it('refuses a relative path (it would land in the core\'s working directory)', async () => {
    const rel = await save({ index: 1, path: 'tuong-doi.docx' });
    expect(!rel.ok && rel.error.code).toBe('savePathRelative');
    expect(!rel.ok && rel.error.message).toContain('đường dẫn tuyệt đối');
    expect(existsSync(path.join(process.cwd(), 'tuong-doi.docx'))).toBe(false);
    const dotted = await save({ index: 1, path: path.join('.', 'tuong-doi.docx') });
    expect(!dotted.ok && dotted.error.code).toBe('savePathRelative');
  });

  it('takes a trailing separator as a folder: a missing one is refused, never written as a file', async () => {
    const missing = await save({ index: 1, path: path.join(out, 'thu-muc-moi') + path.sep });
    expect(!missing.ok && missing.error.code).toBe('saveFolderMissing');
    expect(readdirSync(out).filter((n) => n.startsWith('thu-muc-moi'))).toEqual([]);
    // An existing folder with a trailing separator is still a folder.
    const sub = path.join(out, 'co-san');
    mkdirSync(sub);
    const ok = await save({ index: 1, path: sub + path.sep });
    expect(ok.ok && ok.value.path).toBe(path.join(sub, 'Biên bản họp.docx'));
  });

  // A FIFO put in place of a received file (or a symlink to one) must not freeze the core: the
  // old code blocked in open() until a writer came. A helper process opens the FIFO for writing
  // after a few seconds, so a regression is slow (and fails on the time) rather than hanging.
  it.skipIf(process.platform === 'win32')('answers promptly and refuses to save when a received file is a FIFO or a symlink to one', async () => {
    const folder = path.join(home, 'inbox', MESSAGE);
    const stored = readdirSync(folder).find((n) => n.startsWith('02-'))!;
    const storedPath = path.join(folder, stored);
    const original = readFileSync(storedPath);
    // The symlink's FIFO is inside the inbox, so the path check alone does not refuse it.
    const fifo = path.join(folder, 'ong.fifo');
    execFileSync('mkfifo', [fifo]);
    /** Opens the FIFO at `storedPath` for writing after 3 s (bounded), releasing a reader blocked on it. */
    const rescue = () => spawn('timeout', ['8', 'sh', '-c', 'sleep 3; : > "$1"', 'sh', storedPath], { stdio: 'ignore' });
    const prompt = async <T>(what: () => Promise<T>): Promise<{ value: T; ms: number }> => {
      const helper = rescue();
      const t = Date.now();
      try {
        return { value: await what(), ms: Date.now() - t };
      } finally {
        helper.kill();
      }
    };
    try {
      for (const swap of [() => execFileSync('mkfifo', [storedPath]), () => symlinkSync(fifo, storedPath)]) {
        rmSync(storedPath, { force: true });
        swap();
        const shown = await prompt(() => core.call('exchange:inboxShow', { messageId: MESSAGE }));
        expect(shown.ms).toBeLessThan(2000);
        expect(shown.value.ok, JSON.stringify(shown.value)).toBe(true);
        const files = (shown.value as { value: { files: { openable: boolean }[] } }).value.files;
        expect(files[1]!.openable).toBe(false);
        const saved = await prompt(() => save({ index: 1, path: path.join(out, 'ong.docx') }));
        expect(saved.ms).toBeLessThan(2000);
        expect(!saved.value.ok && saved.value.error.code).toBe('fileNotRegular');
        expect(existsSync(path.join(out, 'ong.docx'))).toBe(false);
        expect(leftovers(out, []).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      }
    } finally {
      rmSync(storedPath, { force: true });
      writeFileSync(storedPath, original);
      rmSync(fifo, { force: true });
    }
  }, 30_000);

  // A real full disk: a 64 KiB tmpfs filled up (needs root with CAP_SYS_ADMIN, as on the CI machine).
  it.skipIf(!canMountTmpfs())('on a full disk says so and leaves nothing half-written, the old file intact', async () => {
    const small = path.join(dir, 'usb');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]);
    try {
      writeFileSync(path.join(small, 'Công văn.pdf'), 'bản cũ');
      try {
        writeFileSync(path.join(small, 'day.bin'), Buffer.alloc(1024 * 1024));
      } catch {
        // ENOSPC: the disk is full now (what fitted stays).
      }
      const full = await save({ index: 0, path: small, overwrite: true });
      expect(!full.ok && full.error.code).toBe('diskFull');
      expect(!full.ok && full.error.message).toContain('không có tệp nào bị ghi dở');
      expect(readdirSync(small).sort()).toEqual(['Công văn.pdf', 'day.bin']);
      expect(readFileSync(path.join(small, 'Công văn.pdf'), 'utf8')).toBe('bản cũ');
    } finally {
      execFileSync('umount', [small]);
    }
  });
});
