/**
 * The S3-compatible store tests run against: Ceph's RADOS Gateway (scripts/s3-test.sh). The
 * one CI started (KYSO_TEST_S3_* in the environment) is reused; else a private one is started
 * here (own directory and ports) and stopped by `stop()`. When it cannot start, `skip` says
 * why, loudly, and the S3 tests are skipped.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3Api, type S3Settings } from '../../server/blobs/s3-api.js';

const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/s3-test.sh');

/** A running S3 store for tests. */
export interface TestS3 {
  /** Environment for a `kyso server --blobs s3://...` (endpoint and credentials). */
  env: Record<string, string>;
  /** Settings for a bucket of this store. */
  settings(bucket: string): S3Settings;
  /** Creates a fresh bucket; returns its name. */
  bucket(): Promise<string>;
  /** Milliseconds the store took to start here (undefined when reused). */
  startMs?: number;
  stop(): Promise<void>;
}

async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const free = async (p: number) => new Promise<boolean>((resolve) => {
      const s = createServer().once('error', () => resolve(false)).listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if ((await free(port)) && (await free(port + 1))) return port;
  }
  throw new Error('no free port pair');
}

function fromEnv(vars: NodeJS.ProcessEnv): Omit<TestS3, 'stop' | 'startMs'> {
  const endpoint = vars.KYSO_TEST_S3_ENDPOINT!;
  const region = vars.KYSO_TEST_S3_REGION ?? 'default';
  const credentials = { accessKeyId: vars.KYSO_TEST_S3_ACCESS_KEY!, secretAccessKey: vars.KYSO_TEST_S3_SECRET_KEY! };
  const settings = (bucket: string): S3Settings => ({ endpoint, bucket, region, credentials, pathStyle: true });
  return {
    env: { KYSO_S3_ENDPOINT: endpoint, AWS_REGION: region, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    settings,
    async bucket() {
      const name = `kyso-t-${randomBytes(6).toString('hex')}`;
      await new S3Api(settings(name)).createBucket();
      return name;
    },
  };
}

/** The test S3 store, or why there is none. */
export async function startTestS3(): Promise<TestS3 | { skip: string }> {
  if (process.env.KYSO_TEST_S3_ENDPOINT) return { ...fromEnv(process.env), stop: async () => undefined };
  if (!existsSync('/usr/bin/radosgw') || !existsSync('/usr/bin/ceph-osd')) {
    return { skip: 'S3 STORE TESTS SKIPPED: Ceph RGW is not installed (apt packages ceph-mon ceph-osd radosgw; scripts/lib.sh installs them)' };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-s3-'));
  const env = { ...process.env, KYSO_S3_DIR: dir, KYSO_S3_PORT: String(await freePortPair()) };
  const t0 = performance.now();
  const r = spawnSync('bash', [SCRIPT, 'start'], { env, encoding: 'utf8', timeout: 180_000 });
  const startMs = Math.round(performance.now() - t0);
  const stop = async () => {
    spawnSync('bash', [SCRIPT, 'stop'], { env, timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  if (r.status !== 0) {
    await stop();
    return { skip: `S3 STORE TESTS SKIPPED: Ceph RGW did not start (${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')})` };
  }
  const vars: Record<string, string> = {};
  for (const m of r.stdout.matchAll(/^export (\w+)=(\S*)$/gm)) vars[m[1]!] = m[2]!;
  return { ...fromEnv(vars), startMs, stop };
}
