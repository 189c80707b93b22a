/**
 * `kyso server --blobs s3://bucket/prefix` as a real process on Ceph's RADOS Gateway
 * (test/bed/s3.ts): Kyso clients (`kyso send`, `kyso inbox sync|accept`) send and receive a
 * signed package whose bytes live only in the bucket; the choice is remembered across a
 * restart without the option; bad credentials stop the server before it listens, with the
 * store's reason; the sweeper, reading the server's own database, removes an orphan and
 * keeps the package and the status message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobReferences } from '../../../server/blobs/refs.js';
import { S3BlobStore } from '../../../server/blobs/s3.js';
import { sweepOrphans } from '../../../server/blobs/sweeper.js';
import { openRepo } from '../../../server/store.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { startTestS3 } from '../../bed/s3.js';
import { kyso } from '../exchange-client/cli-io.js';
import { issueUser, ORGS } from './fixtures.js';

const BIN = path.join(import.meta.dirname, '..', '..', '..', 'bin', 'kyso.js');
const s3 = await startTestS3();
if ('skip' in s3) console.warn(`\n*** ${s3.skip} ***\n`);
const PREFIX = 'province-h49/inbox';

let bed: TestBed;
let work: string;
let data: string;
let bucket: string;
let store: S3BlobStore;
const children: ChildProcess[] = [];
const users: Record<'A' | 'B', { key: string; cert: string }> = { A: { key: '', cert: '' }, B: { key: '', cert: '' } };

/** Starts `kyso server` with the S3 credentials in its environment; resolves its URL, or its failure. */
async function startServer(args: string[], env: Record<string, string>): Promise<{ url?: string; code?: number; err: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, '--lang', 'en', 'server', '--data', data, '--port', '0', '--json', '--trust', bed.certs.root.certPath, ...args], {
    env: { ...process.env, KYSO_FROM_SOURCE: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const first = await Promise.race([
    once(child.stdout!, 'data').then(([line]) => ({ url: (JSON.parse(String(line)) as { url: string }).url })),
    once(child, 'exit').then(([code]) => ({ code: code as number })),
  ]);
  return { ...first, get err() { return err; }, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

const homeOf = (who: string) => ({ ...process.env, KYSO_HOME: path.join(work, `home-${who}`) });
const keyArgs = (u: { key: string; cert: string }) => ['--key-file', u.key, '--cert-file', u.cert, '--trust', bed.certs.root.certPath];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  if ('skip' in s3) return;
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-s3srv-'));
  data = path.join(work, 'data');
  bed = await createTestBed();
  bucket = await s3.bucket();
  store = new S3BlobStore(new (await import('../../../server/blobs/s3-api.js')).S3Api(s3.settings(bucket)), PREFIX, path.join(work, 'inspect'));
  for (const o of [ORGS.A, ORGS.B]) await kyso(['server', 'org', 'add', '--data', data, '--code', o.code, '--name', o.name], {});
  for (const [who, org] of [['A', ORGS.A], ['B', ORGS.B]] as const) {
    const c = await issueUser(bed, `s3-${who}`, `Văn thư ${org.name}`);
    // The certificate file carries the issuing CA, as a clerk's export from the token would.
    const bundle = path.join(work, `${who}.pem`);
    writeFileSync(bundle, readFileSync(c.certPath, 'utf8') + readFileSync(bed.certs.issuing.certPath, 'utf8'));
    users[who] = { key: c.keyPath!, cert: bundle };
    const added = await kyso(['server', 'user', 'add', '--data', data, '--trust', bed.certs.root.certPath, '--org', org.code, '--cert', c.certPath], {});
    expect(added.err).toBe('');
  }
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await bed?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  if (!('skip' in s3)) await s3.stop();
});

describe.skipIf('skip' in s3)('kyso server --blobs s3:// (Ceph RGW)', () => {
  let messageId: string;
  let packageSha: string;
  const pdf = Buffer.from('%PDF-1.7\n% Công văn về việc lưu trữ gói tin trên kho đối tượng\n%%EOF\n');

  it('refuses to start without credentials or with wrong ones, before listening, with the reason', async () => {
    if ('skip' in s3) return;
    const none = await startServer(['--blobs', `s3://${bucket}/${PREFIX}`], { ...s3.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SHARED_CREDENTIALS_FILE: path.join(work, 'none') });
    expect(none.code).toBe(1);
    expect(none.err).toContain('no S3 credentials');
    const wrong = await startServer(['--blobs', `s3://${bucket}/${PREFIX}`], { ...s3.env, AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('The object store (S3) failed during HeadBucket');
    expect(wrong.err).not.toContain('not-the-secret');
    const missing = await startServer(['--blobs', `s3://no-such-bucket-kyso/${PREFIX}`], s3.env);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/HeadBucket: (NoSuchBucket|HTTP 404)/);
    // A failed start saves nothing: the data directory still has no blob store choice.
    expect(existsSync(path.join(data, 'server.json')) ? readFileSync(path.join(data, 'server.json'), 'utf8') : '').not.toContain('s3://');
  }, 120_000);

  it('a package sent with kyso send lives only in the bucket and kyso inbox sync receives it', async () => {
    if ('skip' in s3) return;
    const srv = await startServer(['--blobs', `s3://${bucket}/${PREFIX}`], s3.env);
    expect(srv.url, srv.err).toBeDefined();
    const file = path.join(work, 'cong-van.pdf');
    writeFileSync(file, pdf);
    const sent = await kyso(['send', '--server', srv.url!, '--to', ORGS.B.code, '--subject', 'Công văn về việc lưu trữ gói tin', '--number', '7', '--notation', 'UBND-VP',
      '--type', 'Công văn', ...keyArgs(users.A), '--json', file], homeOf('A'));
    expect(sent.err).toBe('');
    const res = JSON.parse(sent.out) as { messageId: string; delivery: { sent: number } };
    expect(res.delivery.sent).toBe(1);
    messageId = res.messageId;
    // The package is in the bucket under its SHA-256, and nowhere on the server's disk.
    const blobs = await all(store.list());
    expect(blobs).toHaveLength(1);
    packageSha = blobs[0]!.sha256;
    expect(sha(Buffer.concat(await all(await store.get(packageSha))))).toBe(packageSha);
    expect(existsSync(path.join(data, 'blobs')) ? readdirSync(path.join(data, 'blobs'), { recursive: true }) : []).toEqual([]);
    expect(readdirSync(path.join(data, 'tmp'))).toEqual([]);
    expect(JSON.parse(readFileSync(path.join(data, 'server.json'), 'utf8'))).toMatchObject({ blobs: `s3://${bucket}/${PREFIX}` });

    const sync = await kyso(['inbox', 'sync', '--server', srv.url!, ...keyArgs(users.B), '--json'], homeOf('B'));
    expect(sync.err).toBe('');
    expect(JSON.parse(sync.out)).toEqual({ received: 1, statuses: 0 });
    const show = JSON.parse((await kyso(['inbox', 'show', messageId, '--json'], homeOf('B'))).out) as { files: Array<{ name: string; path: string }> };
    expect(readFileSync(show.files[0]!.path).equals(pdf)).toBe(true);
    const accept = await kyso(['inbox', 'accept', messageId, '--server', srv.url!, ...keyArgs(users.B), '--json'], homeOf('B'));
    expect(accept.err).toBe('');
    // The signed status message (03) is a blob in the bucket too.
    expect(await all(store.list())).toHaveLength(2);
    await stop(srv.child);
  }, 180_000);

  it('restarted without --blobs it still serves from the bucket', async () => {
    if ('skip' in s3) return;
    const srv = await startServer([], s3.env);
    expect(srv.url, srv.err).toBeDefined();
    // A second device of B (a fresh KYSO_HOME) downloads the package again.
    const sync = await kyso(['inbox', 'sync', '--server', srv.url!, ...keyArgs(users.B), '--json'], homeOf('B2'));
    expect(sync.err).toBe('');
    expect(JSON.parse(sync.out)).toMatchObject({ received: 1 });
    const show = JSON.parse((await kyso(['inbox', 'show', messageId, '--json'], homeOf('B2'))).out) as { files: Array<{ path: string }> };
    expect(readFileSync(show.files[0]!.path).equals(pdf)).toBe(true);
    await stop(srv.child);
  }, 120_000);

  it('the sweeper, reading the server database, removes an orphan and keeps what messages and statuses reference', async () => {
    if ('skip' in s3) return;
    const orphan = Buffer.from('a package whose registration never happened');
    await store.put(orphan, sha(orphan));
    const dry = await kyso(['server', 'sweep', '--data', data, '--grace', '600', '--dry-run', '--json'], s3.env);
    expect(dry.err).toBe('');
    // Everything is younger than the 10-minute minimum grace: nothing to remove yet.
    expect(JSON.parse(dry.out)).toMatchObject({ store: `s3://${bucket}/${PREFIX}/`, dryRun: true, scanned: 3, orphans: 0 });
    const repo = await openRepo(data);
    try {
      const r = await sweepOrphans(store, blobReferences(repo.db), { graceMs: 600_000, now: () => new Date(Date.now() + 3_600_000) });
      expect(r).toMatchObject({ scanned: 3, orphans: 1, removed: 1, restored: 0 });
    } finally {
      await repo.db.close();
    }
    const left = (await all(store.list())).map((b) => b.sha256);
    expect(left).toHaveLength(2);
    expect(left).toContain(packageSha);
    expect(left).not.toContain(sha(orphan));
  }, 120_000);
});

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
