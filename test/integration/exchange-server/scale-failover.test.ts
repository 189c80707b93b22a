/**
 * Issue 17's multi-instance test with real processes: two `kyso server` instances share one
 * PostgreSQL schema and one S3 bucket (Ceph RGW), behind a loopback load balancer. Body A's
 * client (`kyso send`, through the balancer) is logged in to instance 1; body B's client
 * (the Kyso live listener) is connected to instance 2 and hears A's document arrive. Instance
 * 1 is then killed (SIGKILL) in the middle of A's next upload: A's client finishes through
 * instance 2 (`kyso outbox flush`), B hears that arrival too, and B's inbox has each document
 * exactly once. Instance 2 then stops gracefully on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboxApi } from '../../../main/exchange/client/api.js';
import { LiveListener } from '../../../main/exchange/client/live.js';
import { endpoints, type InboxPage } from '../../../main/exchange/protocol.js';
import type { Signer } from '../../../main/pki/signer.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { startTestS3 } from '../../bed/s3.js';
import { kyso } from '../exchange-client/cli-io.js';
import { get, ok, token } from './api.js';
import { issueUser, ORGS, signerOf } from './fixtures.js';
import { startBalancer, type Balancer } from './tcp-balancer.js';

const BIN = path.join(import.meta.dirname, '..', '..', '..', 'bin', 'kyso.js');
const PG = process.env.KYSO_TEST_PG_URL;
if (!PG && process.env.CI === 'true') throw new Error('KYSO_TEST_PG_URL is not set in CI (scripts/pg-test.sh).');
const s3 = PG ? await startTestS3() : { skip: 'no PostgreSQL' };
if ('skip' in s3) console.warn(`\n*** scale-failover: ${s3.skip} ***\n`);
const skip = !PG || 'skip' in s3;

const schema = `kyso_t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
let bed: TestBed;
let work: string;
let blobs: string;
let lb: Balancer;
const children: ChildProcess[] = [];
const users = {} as Record<'A' | 'B', { key: string; cert: string }>;
let bSigner: Signer;

/** An instance's data directory: its own scratch space, the shared database schema. */
function dataDir(n: number): string {
  const d = path.join(work, `data-${n}`);
  mkdirSync(d, { recursive: true });
  writeFileSync(path.join(d, 'server.json'), JSON.stringify({ db: PG, pgSchema: schema }));
  return d;
}

/** Starts `kyso server` as a process; resolves its URL once it listens. */
async function instance(n: number): Promise<{ url: string; port: number; child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, [BIN, '--lang', 'en', 'server', '--data', dataDir(n), '--db', PG!, '--blobs', blobs, '--port', '0', '--json', '--trust', bed.certs.root.certPath, '--sweep-interval', '0'], {
    env: { ...process.env, KYSO_FROM_SOURCE: '1', ...('skip' in s3 ? {} : s3.env) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const [line] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => [Buffer.from('{}')])])) as [Buffer];
  const { url, port } = JSON.parse(String(line)) as { url: string; port: number };
  expect(url, log).toBeDefined();
  return { url, port, child, log: () => log };
}

const homeOf = (who: string) => ({ ...process.env, KYSO_HOME: path.join(work, `home-${who}`) });
const keyArgs = (u: { key: string; cert: string }) => ['--key-file', u.key, '--cert-file', u.cert, '--trust', bed.certs.root.certPath];

beforeAll(async () => {
  if (skip || 'skip' in s3) return;
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-failover-'));
  bed = await createTestBed();
  blobs = `s3://${await s3.bucket()}/h49`;
  const d1 = dataDir(1);
  for (const o of [ORGS.A, ORGS.B]) expect((await kyso(['server', 'org', 'add', '--data', d1, '--code', o.code, '--name', o.name], {})).code).toBe(0);
  for (const [who, org] of [['A', ORGS.A], ['B', ORGS.B]] as const) {
    const c = await issueUser(bed, `failover-${who}`, `Văn thư ${org.name}`);
    const bundle = path.join(work, `${who}.pem`);
    writeFileSync(bundle, readFileSync(c.certPath, 'utf8') + readFileSync(bed.certs.issuing.certPath, 'utf8'));
    users[who] = { key: c.keyPath!, cert: bundle };
    if (who === 'B') bSigner = signerOf(bed, c);
    expect((await kyso(['server', 'user', 'add', '--data', d1, '--org', org.code, '--cert', c.certPath, '--trust', bed.certs.root.certPath], {})).code).toBe(0);
  }
}, 240_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await lb?.close();
  await bed?.close();
  if (PG) {
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
  if (work) rmSync(work, { recursive: true, force: true });
  if (!('skip' in s3)) await s3.stop();
});

describe.skipIf(skip)('two kyso server processes on PostgreSQL and S3 behind a balancer', () => {
  it('an arrival is heard live across instances, and an upload cut by a killed instance finishes through the other, exactly once', { timeout: 240_000 }, async () => {
    const one = await instance(1);
    const two = await instance(2);
    lb = await startBalancer([{ host: '127.0.0.1', port: one.port }, { host: '127.0.0.1', port: two.port }]);

    // B's client listens at instance 2.
    const bApi = new InboxApi(two.url, bSigner);
    let signals = 0;
    const live = new LiveListener(bApi, { onSignal: async () => void signals++, retryMs: 200 });
    live.start();
    try {
      await expect.poll(() => signals, { timeout: 15_000 }).toBe(1);

      // A (through the balancer: instance 1, which is alive) sends a document.
      const doc = path.join(work, 'cong-van-1.pdf');
      writeFileSync(doc, '%PDF-1.7\n% Công văn số 1\n%%EOF\n');
      const first = await kyso(['send', '--server', lb.url, '--to', ORGS.B.code, '--subject', 'Công văn số 1', '--number', '1', '--notation', 'UBND-VP', '--type', 'Công văn', ...keyArgs(users.A), '--json', doc], homeOf('A'));
      expect(first.err).toBe('');
      const sent1 = JSON.parse(first.out) as { messageId: string; delivery: { sent: number } };
      expect(sent1.delivery.sent).toBe(1);
      expect(lb.connections[0]).toBeGreaterThan(0);
      expect(lb.connections[1]).toBe(0);
      // Heard live at instance 2.
      await expect.poll(() => signals, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

      // The next upload is large; instance 1 dies with it part-way.
      const big = path.join(work, 'ho-so-2.pdf');
      writeFileSync(big, Buffer.concat([Buffer.from('%PDF-1.7\n% Hồ sơ số 2\n'), randomBytes(6 << 20), Buffer.from('\n%%EOF\n')]));
      const held = lb.hold(0, 2 << 20);
      const sending = kyso(['send', '--server', lb.url, '--to', ORGS.B.code, '--subject', 'Hồ sơ số 2', '--number', '2', '--notation', 'UBND-VP', '--type', 'Công văn', ...keyArgs(users.A), '--json', big], homeOf('A'));
      await held;
      one.child.kill('SIGKILL');
      await once(one.child, 'exit');
      const second = await sending;
      // The cut upload stays in A's outbox for a retry (75: try again later).
      expect(second.code).toBe(75);
      const queued = JSON.parse(second.out) as { messageId: string; delivery: { pending: number } };
      expect(queued.delivery.pending).toBe(1);
      const before = signals;

      // A's client retries: the balancer finds instance 1 gone and instance 2 takes it.
      const flush = await kyso(['outbox', 'flush', '--now', '--server', lb.url, ...keyArgs(users.A), '--json'], homeOf('A'));
      expect(flush.err).toBe('');
      expect(JSON.parse(flush.out)).toMatchObject({ sent: 1, pending: 0, failed: 0 });
      expect(lb.connections[1]).toBeGreaterThan(0);
      await expect.poll(() => signals, { timeout: 10_000 }).toBeGreaterThan(before);

      // Exactly once: B's inbox holds each document once; a resend is a duplicate.
      const tokB = await token(two.url, bSigner);
      const inbox = ok(await get<InboxPage>(two.url, tokB, endpoints.inbox));
      expect(inbox.items.map((i) => i.messageId).sort()).toEqual([sent1.messageId, queued.messageId].sort());
      const sync = await kyso(['inbox', 'sync', '--server', two.url, ...keyArgs(users.B), '--json'], homeOf('B'));
      expect(JSON.parse(sync.out)).toMatchObject({ received: 2 });
    } finally {
      await live.stop();
    }

    // Instance 2 stops gracefully on SIGTERM.
    two.child.kill('SIGTERM');
    const [codeAtExit] = (await once(two.child, 'exit')) as [number];
    expect(codeAtExit).toBe(0);
    expect(two.log()).toMatch(/"msg":"stopped","cut":0/);
  });
});
