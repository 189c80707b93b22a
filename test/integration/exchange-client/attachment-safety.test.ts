/**
 * Issue 15.2: a received attachment can never be opened as a program. A crafted package
 * (signed, from a fake inbox server on loopback) carries `.pdf.exe`, a bidi override that
 * hides `.exe`, trailing dots and spaces, an `.hta`, a `.lnk`, and types whose name, MIME type
 * and bytes disagree. Kyso keeps each under its own safe name with an extension its bytes
 * prove (or `.bin`), shows the real name with the hidden characters made visible, and
 * `shell:openPath` (through the real core) hands the OS opener only documents Kyso wrote.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../../../main/exchange/client/index.js';
import { DOCUMENT_TYPES } from '../../../main/files/doc-types.js';
import type { Signer } from '../../../main/pki/signer.js';
import { createCore, type Core } from '../../../main/services/core.js';
import type { ShellHandlers } from '../../../main/services/types.js';
import { openStore } from '../../../main/store/index.js';
import { craftPackage, fakeItem, startFakeInbox, throwAwaySigner } from './fake-inbox.js';

const PDF = readFileSync('test/fixtures/cong-van-mau.pdf');
const PNG = readFileSync('test/fixtures/seal.png');
/** A Windows program: DOS stub and PE header. */
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(64), Buffer.from('PE\0\0'), Buffer.alloc(200)]);
/** A Windows shortcut (shell link header). */
const LNK = Buffer.from('4c0000000114020000000000c000000000000046' + '00'.repeat(56), 'hex');
const HTA = Buffer.from('<html><head><hta:application/></head><script>new ActiveXObject("WScript.Shell").Run("calc")</script></html>');
const EMPTY_ZIP = Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(18)]);

const attachments = [
  { name: 'Quyết định.pdf.exe', bytes: EXE, contentType: 'application/pdf', kind: 'bin' },
  { name: 'hoa-don\u202Efdp.exe', bytes: EXE, contentType: 'application/pdf', kind: 'bin', shown: 'hoa-don⟨U+202E⟩fdp.exe' },
  { name: 'bao-cao.pdf . . .', bytes: PDF, contentType: 'application/pdf', kind: 'pdf' },
  { name: 'thu-moi.hta', bytes: HTA, contentType: 'application/hta', kind: 'txt' },
  { name: 'loi-tat.lnk', bytes: LNK, contentType: 'application/pdf', kind: 'bin' },
  { name: 'anh.jpg', bytes: PNG, contentType: 'image/jpeg', kind: 'png' },
  { name: 'ho-so.docx', bytes: PDF, contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', kind: 'pdf' },
  { name: 'bang-tinh.xlsx', bytes: EMPTY_ZIP, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', kind: 'xlsx' },
  { name: 'van-ban.pdf', bytes: PDF, contentType: 'application/pdf', kind: 'pdf' },
  { name: 'a\u200B\u200Bb.pdf', bytes: PDF, contentType: 'application/pdf', kind: 'pdf', shown: 'a⟨U+200B⟩⟨U+200B⟩b.pdf' },
];
const MESSAGE = 'crafted-attachments-01';

let dir: string;
let home: string;
let signer: Signer;
let core: Core;
const opened: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-attach-'));
  home = path.join(dir, 'home');
  signer = await throwAwaySigner(dir);
  const body = await craftPackage(signer, dir, 'Gói có tệp đính kèm nguy hiểm', attachments);
  const server = await startFakeInbox(() => [{ item: fakeItem(1, MESSAGE, createHash('sha256').update(body).digest('hex'), body.length), body }]);
  const store = openStore(home);
  try {
    const client = new ExchangeClient({ store, home, server: server.url, signer: async () => signer, validator: async () => ({ status: 'NO_SIGNATURE', report: {} }) });
    expect(await client.sync()).toMatchObject({ received: 1 });
  } finally {
    store.close();
    await server.close();
  }
  // The real core, with a transport whose OS opener only records what reaches it.
  const shell: ShellHandlers = {
    'dialog:openFiles': async () => ({ paths: [], native: false }),
    'dialog:saveFile': async () => ({ path: null, native: false }),
    'shell:openPath': async ({ path: p }) => {
      opened.push(p);
      return { opened: true };
    },
    'shell:showItemInFolder': async () => ({ opened: true }),
  };
  core = await createCore({ host: 'browser', home, lang: 'en', shell });
});
afterAll(async () => {
  await core?.close();
  rmSync(dir, { recursive: true, force: true });
});

type ShownFile = { name: string; displayName: string; kind: string; openable: boolean; path: string; contentType: string };

async function shown(): Promise<ShownFile[]> {
  const r = await core.call('exchange:inboxShow', { messageId: MESSAGE });
  if (!r.ok) throw new Error(r.error.message);
  return (r.value as { files: ShownFile[] }).files;
}

async function open(p: string): Promise<{ ok: boolean; code?: string }> {
  const r = await core.call('shell:openPath', { path: p });
  return r.ok ? { ok: true } : { ok: false, code: r.error.code };
}

describe('received attachments', () => {
  it('are kept under safe names whose extension the bytes prove, or .bin', async () => {
    const files = await shown();
    const allowed = new Set([...DOCUMENT_TYPES.map((t) => t.ext), 'bin']);
    expect(files.map((f) => f.kind)).toEqual(attachments.map((a) => a.kind));
    for (const f of files) {
      const base = path.basename(f.path);
      expect(base, base).not.toMatch(/[\p{Cf}\p{Cc}]/u);
      expect(base, base).not.toMatch(/[. ]$/);
      expect(base.split('.').length, base).toBe(2); // one extension, Kyso's
      expect(allowed.has(base.split('.')[1]!), base).toBe(true);
      expect(path.dirname(f.path)).toBe(path.join(home, 'inbox', MESSAGE));
    }
    expect(path.basename(files[0]!.path)).toBe('01-Quyết định_pdf.bin');
    expect(path.basename(files[2]!.path)).toBe('03-bao-cao.pdf');
    expect(readFileSync(files[0]!.path).equals(EXE)).toBe(true); // kept intact, just inert
  });

  it('show the real name and the type found to the user', async () => {
    const files = await shown();
    expect(files.map((f) => f.name)).toEqual(attachments.map((a) => a.name));
    for (const [i, a] of attachments.entries()) expect(files[i]!.displayName).toBe(a.shown ?? a.name);
    expect(files.map((f) => f.contentType)).toEqual(attachments.map((a) => a.contentType)); // what the sender declared
    expect(files.map((f) => f.openable)).toEqual(attachments.map((a) => a.kind !== 'bin'));
  });

  it('open only when they are documents: programs and shortcuts never reach the OS opener', async () => {
    opened.length = 0;
    const files = await shown();
    const results = [];
    for (const f of files) results.push(await open(f.path));
    expect(results.map((r) => r.ok)).toEqual(attachments.map((a) => a.kind !== 'bin'));
    expect(results.filter((r) => !r.ok).every((r) => r.code === 'openNotDocument')).toBe(true);
    expect(opened).toEqual(files.filter((f) => f.kind !== 'bin').map((f) => f.path));
  });
});

describe('shell:openPath', () => {
  it('refuses files Kyso did not write, links out of its folders, and programs renamed to .pdf', async () => {
    opened.length = 0;
    const folder = path.join(home, 'inbox', MESSAGE);
    // A PDF anywhere else on disk (a page or a message could name any path).
    expect(await open(path.resolve('test/fixtures/cong-van-mau.pdf'))).toEqual({ ok: false, code: 'openNotKyso' });
    expect(await open('/bin/sh')).toEqual({ ok: false, code: 'openNotKyso' });
    // A link planted in the inbox that points out of it.
    const outside = path.join(dir, 'outside.pdf');
    writeFileSync(outside, PDF);
    symlinkSync(outside, path.join(folder, '99-link.pdf'));
    expect(await open(path.join(folder, '99-link.pdf'))).toEqual({ ok: false, code: 'openNotKyso' });
    // A file an older version stored under the sender's extension: .pdf by name, a program by content.
    writeFileSync(path.join(folder, '98-hoa-don.pdf'), EXE);
    expect(await open(path.join(folder, '98-hoa-don.pdf'))).toEqual({ ok: false, code: 'openNotDocument' });
    writeFileSync(path.join(folder, '97-hoa-don.pdf.exe'), EXE);
    expect(await open(path.join(folder, '97-hoa-don.pdf.exe'))).toEqual({ ok: false, code: 'openNotDocument' });
    // Climbing out with .. is resolved first.
    expect(await open(path.join(folder, '..', '..', '..', 'outside.pdf'))).toEqual({ ok: false, code: 'openNotKyso' });
    expect(opened).toEqual([]);
  });

  it('opens a report Kyso wrote outside its folders in this session', async () => {
    opened.length = 0;
    const output = path.join(dir, 'bao-cao-kiem-tra.pdf');
    const r = await core.call('verify:exportReport', { paths: [path.resolve('test/fixtures/cong-van-mau.pdf')], output, format: 'pdf', offline: true });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(await open(output)).toEqual({ ok: true });
    expect(opened).toEqual([output]);
  });
});
