/**
 * The shipped `kyso` is the esbuild bundle (scripts/build-cli.mjs), not the sources the other
 * tests run through tsx. Built here into a folder of its own inside the package (so externals
 * such as pkcs11js resolve from node_modules), then run as a user would: token listing through
 * the bundled bridge worker, signing on the SoftHSM2 token, verification. pdfsig checks the output.
 * The launcher's V8 code cache (main/cli/launch.ts) is written once, taken back, and replaced
 * when V8 refuses it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.mjs';
import { createTestBed, type TestBed } from '../bed/index.js';
import { pdfsig } from './signing/oracles.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, 'dist', `cli-test-${process.pid}`);
let bed: TestBed;

beforeAll(async () => {
  await buildCli(out);
  // A chunk left by an earlier build: the next build must not keep it (nor ship it).
  writeFileSync(path.join(out, 'chunk-STALE000.js'), 'export {};\n');
  await buildCli(out);
  bed = await createTestBed();
}, 180_000);
afterAll(async () => {
  await bed?.close();
  rmSync(out, { recursive: true, force: true });
});

/** Runs the bundle asynchronously: the bed's OCSP/TSA server answers from this process. */
function kyso(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(out, 'main.js'), '--lang', 'en', ...args], {
      env: { ...process.env, ...bed.env, KYSO_HOME: path.join(bed.dir, 'home'), KYSO_TEST_PIN: bed.tokens.official.pin, ...extraEnv },
      encoding: 'utf8',
      timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
  });
}

describe('the bundled kyso CLI', () => {
  it('is the launcher, the CLI bundle and the bridge worker, without files of earlier builds', () => {
    expect(readdirSync(out).filter((f) => !f.endsWith('.map') && f !== 'cache').sort()).toEqual(['main.cjs', 'main.js', 'worker.js']);
    expect(existsSync(`${out}.new`) || existsSync(`${out}.old`)).toBe(false);
    // ASCII only (read and compiled as a one-byte string), the launcher small.
    expect(readFileSync(path.join(out, 'main.cjs')).every((b) => b < 0x80)).toBe(true);
    expect(statSync(path.join(out, 'main.js')).size).toBeLessThan(8_000);
  });

  it('keeps a V8 code cache per command, takes it back, and replaces one V8 refuses', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cli-cache-'));
    try {
      const env = { KYSO_CLI_CACHE_DIR: dir };
      const pdf = path.join(root, 'test', 'fixtures', 'cong-van-mau.pdf');
      // A cache of another build is dropped when this build writes its own.
      writeFileSync(path.join(dir, '0000000000000000-v0.0.0-x64-verify.v8cache'), 'old build');
      const first = await kyso(['verify', pdf, '--json'], env);
      expect(first.stdout).toContain('"files"');
      const files = readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(new RegExp(`^[0-9a-f]{16}-${process.version}-${process.arch}-verify\\.v8cache$`));
      const cache = path.join(dir, files[0]!);
      const written = readFileSync(cache);
      expect(written.length).toBeGreaterThan(100_000);
      // Accepted: the same output, and the file is not written again.
      const mtime = statSync(cache).mtimeMs;
      const second = await kyso(['verify', pdf, '--json'], env);
      expect(second.stdout).toBe(first.stdout);
      expect(second.status).toBe(first.status);
      expect(statSync(cache).mtimeMs).toBe(mtime);
      // Refused (garbage): the command still works, and a good cache replaces it.
      writeFileSync(cache, Buffer.alloc(4096, 7));
      const third = await kyso(['verify', pdf, '--json'], env);
      expect(third.stdout).toBe(first.stdout);
      expect(readFileSync(cache).length).toBeGreaterThan(100_000);
      // Another command has its own; KYSO_CLI_CACHE=off writes none.
      await kyso(['--version'], env);
      expect(readdirSync(dir).some((f) => f.endsWith('-none.v8cache'))).toBe(true);
      rmSync(dir, { recursive: true, force: true });
      await kyso(['verify', pdf, '--json'], { ...env, KYSO_CLI_CACHE: 'off' });
      expect(existsSync(dir)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the bridge worker a single small file (every kyso sign waits for it to start)', () => {
    const worker = readFileSync(path.join(out, 'worker.js'), 'utf8');
    expect(worker).not.toMatch(/from\s*"\.\/chunk-/);
    expect(worker.length).toBeLessThan(150_000);
  });

  it('lists the bed tokens through the bundled bridge worker', async () => {
    const r = await kyso(['token', 'list', '--module', bed.module, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { modules: Array<{ tokens: Array<{ label: string; certificates: Array<{ subject: string; hasPrivateKey: boolean }> }> }> };
    const official = report.modules[0]!.tokens.find((t) => t.label === bed.tokens.official.label);
    expect(official?.certificates.some((c) => c.hasPrivateKey && c.subject.includes('CN=Nguyễn Văn An'))).toBe(true);
  });

  it('signs on the token and verifies the result; pdfsig agrees', async () => {
    const signed = path.join(bed.dir, 'bundle-signed.pdf');
    const s = await kyso(['sign', path.join(root, 'test', 'fixtures', 'cong-van-mau.pdf'), '-o', signed, '--module', bed.module,
      '--token', bed.tokens.official.label, '--cert', bed.certs.official.serial, '--pin-env', 'KYSO_TEST_PIN', '--chain', bed.chainPath, '--role', 'approval', '--page', '1', '--rect', '300,100,200,80']);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout + s.stderr).not.toContain(bed.tokens.official.pin);
    const v = await kyso(['verify', signed, '--trust', bed.certs.root.certPath, '--json']);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect((JSON.parse(v.stdout) as { files: Array<{ signatures: Array<{ indication: string }> }> }).files[0]!.signatures[0]!.indication).toBe('TOTAL_PASSED');
    expect(await pdfsig(signed, bed.nssDir)).toContain('Signature is Valid.');
  });
});
