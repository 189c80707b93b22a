/**
 * The shipped `kyso` is the esbuild bundle (scripts/build-cli.mjs), not the sources the other
 * tests run through tsx. Built here into a folder of its own inside the package (so externals
 * such as pkcs11js resolve from node_modules), then run as a user would: token listing through
 * the bundled bridge worker, signing on the SoftHSM2 token, verification. pdfsig checks the output.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
function kyso(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(out, 'main.js'), '--lang', 'en', ...args], {
      env: { ...process.env, ...bed.env, KYSO_HOME: path.join(bed.dir, 'home'), KYSO_TEST_PIN: bed.tokens.official.pin },
      encoding: 'utf8',
      timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
  });
}

describe('the bundled kyso CLI', () => {
  it('is two entries (CLI, bridge worker) plus shared chunks, without chunks of earlier builds', () => {
    expect(existsSync(path.join(out, 'main.js'))).toBe(true);
    expect(existsSync(path.join(out, 'worker.js'))).toBe(true);
    expect(readdirSync(out)).not.toContain('chunk-STALE000.js');
    expect(existsSync(`${out}.new`) || existsSync(`${out}.old`)).toBe(false);
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
