/**
 * Issue 15.1: a malicious or compromised inbox server cannot make the client touch anything
 * outside its own folder. Before, the client used the server's message id as a folder name
 * under inbox/ and removed that folder recursively before writing: `../../victim` removed a
 * folder of the user's. Now every id, code and digest a server sends is parsed with the
 * protocol's own schemas (the ones the server applies) and every path is joined inside its
 * folder. A fake server on loopback performs the attacks.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../../../main/exchange/client/index.js';
import { isInside, joinInside } from '../../../main/files/inside.js';
import type { Signer } from '../../../main/pki/signer.js';
import { openStore, type Store } from '../../../main/store/index.js';
import { craftPackage, fakeItem, startFakeInbox, throwAwaySigner, type FakeDelivery } from './fake-inbox.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
let dir: string;
let signer: Signer;
let body: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-hostile-'));
  signer = await throwAwaySigner(dir);
  body = await craftPackage(signer, dir, 'Quyết định', [{ name: 'quyet-dinh.pdf', bytes: pdf }]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A home under `dir/<name>/home` with a folder of the user's beside it that must survive. */
function setup(name: string): { home: string; victim: string; store: Store; client: (url: string) => ExchangeClient } {
  const base = path.join(dir, name);
  const home = path.join(base, 'home');
  const victim = path.join(base, 'victim');
  mkdirSync(victim, { recursive: true });
  writeFileSync(path.join(victim, 'bao-cao.docx'), 'the user\'s own work');
  const store = openStore(home);
  const client = (url: string) => new ExchangeClient({ store, home, server: url, signer: async () => signer, validator: async () => ({ status: 'NO_SIGNATURE', report: {} }) });
  return { home, victim, store, client };
}

describe('a hostile inbox server', () => {
  const escapes = ['../../victim', '..', '../victim', '/tmp/kyso-hostile-abs', 'a/../../../victim', '..\\..\\victim', 'ok-id-\u0000-x'];

  for (const id of escapes) {
    it(`cannot reach outside inbox/ with the message id ${JSON.stringify(id)}`, async () => {
      const s = setup(`id-${escapes.indexOf(id)}`);
      const server = await startFakeInbox(() => [{ item: fakeItem(1, id, sha(body), body.length), body }]);
      try {
        const err = await s.client(server.url).sync().then(() => null, (e: unknown) => e as { code?: string; params?: Record<string, unknown> });
        expect(existsSync(path.join(s.victim, 'bao-cao.docx')), 'the user\'s folder beside the home was removed').toBe(true);
        expect(err?.code).toBe('exServerBadAnswer');
        expect(err?.params?.field).toBe('items.0.messageId');
        // Nothing was downloaded, created or recorded for it.
        expect(server.requests.some((r) => r.includes('/messages/'))).toBe(false);
        expect(readdirSync(path.join(s.home, 'inbox')).filter((n) => !n.startsWith('.sync-'))).toEqual([]);
        expect(s.store.incoming.list({}).length).toBe(0);
      } finally {
        s.store.close();
        await server.close();
      }
    });
  }

  it('a bad id in the middle of a page refuses the page; the good delivery comes once the server is fixed', async () => {
    const s = setup('mixed');
    const deliveries: FakeDelivery[] = [
      { item: fakeItem(1, 'good-message-0001', sha(body), body.length), body },
      { item: fakeItem(2, '../../victim', sha(body), body.length), body },
    ];
    const server = await startFakeInbox(() => deliveries);
    try {
      const c = s.client(server.url);
      await expect(c.sync()).rejects.toMatchObject({ code: 'exServerBadAnswer' });
      expect(existsSync(path.join(s.victim, 'bao-cao.docx'))).toBe(true);
      deliveries.pop();
      expect(await c.sync()).toMatchObject({ received: 1 });
      const [f] = s.store.incoming.files('good-message-0001');
      expect(isInside(path.join(s.home, 'inbox', 'good-message-0001'), f!.path)).toBe(true);
    } finally {
      s.store.close();
      await server.close();
    }
  });

  it('refuses other fields that break the server\'s own rules: sender code, digest, cursor, status ids, directory codes', async () => {
    const cases: Array<{ name: string; items?: Record<string, unknown>; status?: Record<string, unknown>; field: string }> = [
      { name: 'sender', items: { senderOrganId: '../../x' }, field: 'items.0.senderOrganId' },
      { name: 'digest', items: { packageSha256: '../../x' }, field: 'items.0.packageSha256' },
      { name: 'status-id', status: { messageId: '../../../etc' }, field: 'items.0.messageId' },
      { name: 'status-org', status: { fromOrganId: 'not a code' }, field: 'items.0.fromOrganId' },
    ];
    for (const k of cases) {
      const s = setup(`field-${k.name}`);
      const statusItem = { seq: 1, messageId: 'sent-message-0001', documentId: 'd', fromOrganId: '000.02.00.H99', toOrganId: '000.01.00.H99', statusCode: '03', description: '', timestamp: '2025/03/01 08:00:00', receivedAt: new Date().toISOString(), staff: null, ...k.status };
      const server = await startFakeInbox(
        () => (k.items ? [{ item: fakeItem(1, 'good-message-0002', sha(body), body.length, k.items), body }] : []),
        () => (k.status ? [statusItem] : []),
      );
      try {
        await expect(s.client(server.url).sync(), k.name).rejects.toMatchObject({ code: 'exServerBadAnswer', params: { field: k.field } });
        expect(s.store.incoming.list({}).length).toBe(0);
      } finally {
        s.store.close();
        await server.close();
      }
    }
  });

  it('stops a package download past the size the server declared and keeps nothing of it', async () => {
    const s = setup('oversize');
    const big = Buffer.concat([body, Buffer.alloc(8 * 1024 * 1024, 0x20)]);
    const server = await startFakeInbox(() => [{ item: fakeItem(1, 'oversized-message-01', sha(body), body.length), body: big }]);
    try {
      expect(await s.client(server.url).sync()).toMatchObject({ received: 0 });
      expect(s.store.failures.list().map((f) => f.errorCode)).toEqual(['exPackageTooLarge']);
      expect(existsSync(path.join(s.home, 'inbox', 'oversized-message-01'))).toBe(false);
    } finally {
      s.store.close();
      await server.close();
    }
  });

  it('attachment names cannot climb out of the message folder', async () => {
    const s = setup('names');
    const names = ['../../victim/bao-cao.docx', '/etc/evil.pdf', '..\\..\\victim\\x.pdf', '..'];
    const pkg = await craftPackage(signer, dir, 'Tên tệp', names.map((name) => ({ name, bytes: pdf })));
    const server = await startFakeInbox(() => [{ item: fakeItem(1, 'names-message-0001', sha(pkg), pkg.length), body: pkg }]);
    try {
      expect(await s.client(server.url).sync()).toMatchObject({ received: 1 });
      const folder = path.join(s.home, 'inbox', 'names-message-0001');
      const files = s.store.incoming.files('names-message-0001');
      expect(files.map((f) => f.name)).toEqual(names); // the real names, for display
      for (const f of files) {
        expect(path.dirname(f.path)).toBe(folder);
        expect(readFileSync(f.path).equals(pdf)).toBe(true);
      }
      expect(readFileSync(path.join(s.victim, 'bao-cao.docx'), 'utf8')).toBe('the user\'s own work');
    } finally {
      s.store.close();
      await server.close();
    }
  });
});

describe('joinInside', () => {
  it('joins plain names and refuses anything that leaves the folder', () => {
    const root = path.join(dir, 'root');
    expect(joinInside(root, 'inbox', 'abc12345', '01-x.pdf')).toBe(path.join(root, 'inbox', 'abc12345', '01-x.pdf'));
    expect(joinInside(root, '..foo')).toBe(path.join(root, '..foo'));
    for (const bad of [['..'], ['a', '..', '..', 'b'], ['/etc/passwd'], ['C:\\Windows'], ['x\u0000y'], [''], ['.'], ['inbox', '../../x']]) {
      expect(() => joinInside(root, ...bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'pathOutside' }));
    }
    expect(isInside(root, path.join(root, 'a'))).toBe(true);
    expect(isInside(root, root + '-other')).toBe(false);
  });
});
