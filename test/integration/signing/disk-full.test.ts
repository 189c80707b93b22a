/**
 * The disk fills up while `kyso sign` writes (a file-size limit makes the kernel stop writes
 * part-way, as a full disk does): the command fails with a clear error naming the output,
 * and leaves neither an output nor a temp file. Before, a short write went unnoticed and a
 * damaged B-LT file was reported as signed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestBed, type TestBed } from '../../bed/index.js';

const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
let bed: TestBed;
let work: string;

beforeAll(async () => {
  bed = await createTestBed();
  work = path.join(bed.dir, 'disk-full');
  mkdirSync(work);
}, 180_000);
afterAll(async () => {
  await bed?.close();
});

/** Runs `kyso` in a shell whose file-size limit is `blocks` x 512 bytes (unlimited when undefined). */
function kyso(args: string[], blocks?: number): Promise<{ code: number | null; err: string }> {
  const limit = blocks === undefined ? 'unlimited' : String(blocks);
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', `ulimit -f ${limit}; exec "$0" "$@"`, process.execPath, 'bin/kyso.js', '--lang', 'en', ...args], {
      env: { ...process.env, ...bed.env, KYSO_FROM_SOURCE: '1', KYSO_TEST_PIN: bed.tokens.official.pin },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => resolve({ code, err }));
  });
}

const signArgs = (out: string, level: string) => ['sign', FIXTURE, '-o', out, '--module', bed.module, '--token', bed.tokens.official.label, '--cert', 'Nguyễn Văn An',
  '--pin-env', 'KYSO_TEST_PIN', '--chain', bed.chainPath, '--level', level, '--tsa', bed.urls.tsa];

it('the DSS of a B-LT signature does not fit: a clear error, no output, no temp file', { timeout: 120_000 }, async () => {
  const bt = path.join(work, 'bt.pdf');
  expect((await kyso(signArgs(bt, 'B-T'))).code).toBe(0);
  // Room for the B-T revision and a little more, not for the DSS that B-LT appends to it.
  const blocks = Math.floor((statSync(bt).size + 1024) / 512);
  const out = path.join(work, 'blt.pdf');
  const r = await kyso(signArgs(out, 'B-LT'), blocks);
  expect(r.code, r.err).not.toBe(0);
  expect(r.err).toContain(`Could not write ${out}`);
  expect(r.err).not.toContain('.kyso-');
  expect(readdirSync(work).sort()).toEqual(['bt.pdf']);
});

it('the signature update itself does not fit: the same', { timeout: 120_000 }, async () => {
  const out = path.join(work, 'bb.pdf');
  const r = await kyso(signArgs(out, 'B-B'), Math.floor((statSync(FIXTURE).size + 2048) / 512));
  expect(r.code, r.err).not.toBe(0);
  expect(r.err).toContain(`Could not write ${out}`);
  expect(readdirSync(work).sort()).toEqual(['bt.pdf']);
});
