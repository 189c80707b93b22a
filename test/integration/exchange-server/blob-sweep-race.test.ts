/**
 * The sweeper racing uploads on the real inbox server: a sweep (with the server's own
 * reference check) runs exactly between the moment a package or status blob is stored and the
 * moment its row is committed, so the blob is still unreferenced and is swept. The server
 * must notice after its commit and store the bytes again: the recipient downloads the package
 * and the status blob is there.
 */
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints, type InboxPage } from '../../../main/exchange/protocol.js';
import type { Signer } from '../../../main/pki/signer.js';
import { addOrg, addUser } from '../../../server/admin.js';
import { startServer, type RunningServer } from '../../../server/app.js';
import { LocalBlobStore } from '../../../server/blobs/local.js';
import { blobReferences } from '../../../server/blobs/refs.js';
import type { BlobSource } from '../../../server/blobs/store.js';
import { sweepOrphans, type SweepReport } from '../../../server/blobs/sweeper.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { get, ok, sendPackage, sendStatus, token } from './api.js';
import { issueUser, makePackage, makeStatus, ORGS, signerOf } from './fixtures.js';

/** The local store, with a full sweep run right after a put when armed (as another instance's sweeper would). */
class RacedStore extends LocalBlobStore {
  armed = false;
  server?: RunningServer;
  sweeps: SweepReport[] = [];

  private async raceSweep(sha256: string): Promise<void> {
    if (!this.armed || !this.server) return;
    this.armed = false;
    // As if these bytes had been stored long ago by an upload whose registration failed (an
    // old orphan): the sweep, with the server's own reference check, takes it (no row yet).
    // (A copy of its own: the fresh blob shares its inode with the upload's scratch file.)
    const old = new Date(Date.now() - 2 * 3_600_000);
    const blob = this.pathOf(sha256);
    copyFileSync(blob, `${blob}.old`);
    utimesSync(`${blob}.old`, old, old);
    renameSync(`${blob}.old`, blob);
    this.sweeps.push(await sweepOrphans(this, blobReferences(this.server.repo.db), { graceMs: 3_600_000 }));
  }

  override async putFile(file: string, sha256: string) {
    const r = await super.putFile(file, sha256);
    await this.raceSweep(sha256);
    return r;
  }

  override async put(source: BlobSource, sha256: string) {
    const r = await super.put(source, sha256);
    await this.raceSweep(sha256);
    return r;
  }
}

let bed: TestBed;
let work: string;
let store: RacedStore;
let server: RunningServer;
const s = {} as Record<'A' | 'B', Signer>;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-race-'));
  bed = await createTestBed();
  const dataDir = path.join(work, 'data');
  store = new RacedStore(dataDir);
  server = await startServer({ dataDir, trustFiles: [bed.certs.root.certPath], blobStore: store, sweep: false });
  store.server = server;
  await addOrg(server.repo, { ...ORGS.A, parent: null });
  await addOrg(server.repo, { ...ORGS.B, parent: ORGS.A.code });
  for (const k of ['A', 'B'] as const) {
    const c = await issueUser(bed, `race${k}`, `Văn thư ${ORGS[k].name}`);
    s[k] = signerOf(bed, c);
    const f = path.join(work, `${k}.der`);
    writeFileSync(f, s[k].certificate);
    await addUser(server.repo, ORGS[k].code, f);
  }
}, 180_000);

afterAll(async () => {
  await server?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('a sweep between storing a blob and committing its row', () => {
  it('the package is stored again after the commit and the recipient downloads it', async () => {
    const [tokA, tokB] = [await token(server.url, s.A), await token(server.url, s.B)];
    const p = await makePackage(work, s.A, ORGS.A, [ORGS.B]);
    const bytes = readFileSync(p.file);
    store.armed = true;
    const id = randomUUID();
    expect(ok(await sendPackage(server.url, tokA, id, { file: p.file })).duplicate).toBe(false);
    // The sweep really took the fresh blob (it had no row yet).
    expect(store.sweeps.at(-1)).toMatchObject({ orphans: 1, removed: 1 });
    expect(await store.exists(sha(bytes))).toBe(true);
    const inbox = ok(await get<InboxPage>(server.url, tokB, endpoints.inbox));
    expect(inbox.items.map((i) => i.messageId)).toEqual([id]);
    const pkg = await get<string>(server.url, tokB, endpoints.messagePackage, { messageId: id });
    expect(pkg.status).toBe(200);
    expect(pkg.body.status === 'OK' && sha(pkg.body.data)).toBe(sha(bytes));

    // The same for a status message (B registers the document: 03).
    const xml = await makeStatus(s.B, ORGS.B, ORGS.A, p.documentId, '03');
    store.armed = true;
    expect((await sendStatus(server.url, tokB, id, xml)).status).toBe(201);
    expect(store.sweeps.at(-1)).toMatchObject({ orphans: 1, removed: 1 });
    expect(await store.exists(sha(xml))).toBe(true);
    // And a sweep now (nothing racing, everything older than the grace) keeps both.
    expect(await sweepOrphans(store, blobReferences(server.repo.db), { graceMs: 1000, now: () => new Date(Date.now() + 60_000) })).toMatchObject({ scanned: 2, orphans: 0, removed: 0 });
  }, 120_000);
});
