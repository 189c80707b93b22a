/**
 * Issue 3: no log, output or error contains the PIN. Runs the real `kyso` CLI (which forks
 * real bridge processes) with right and wrong PINs from env and file, and checks every byte
 * of stdout/stderr, plus the errors and reports the API returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenManager } from '../../../native/token-manager.js';
import { runCli } from '../../../main/cli/run.js';
import { SOFTHSM_MODULE } from '../../bed/softhsm.js';
import { createTokenBed, LABEL_A, PIN_A, PIN_B, SO_PIN, type TokenBed } from './fixture.js';

const kyso = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kyso.js');
const WRONG = '918273';
const secrets = [PIN_A, PIN_B, SO_PIN, WRONG];
let bed: TokenBed;

beforeAll(async () => {
  bed = await createTokenBed();
});

afterAll(() => bed?.cleanup());

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [kyso, ...args], { env: { ...process.env, ...bed.hsm.env, ...env, KYSO_FROM_SOURCE: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

async function inProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(args, { env: { ...process.env, ...bed.hsm.env, ...env }, out: (t) => (out += t), err: (t) => (out += t), isTty: false });
  return { code, out };
}

function expectNoSecret(text: string): void {
  for (const s of secrets) expect(text.includes(s), `output contains a PIN: ${text.slice(0, 200)}`).toBe(false);
}

// Real CLI processes start slowly on a loaded 2-core machine.
describe('PINs never leak', { timeout: 240_000 }, () => {
  it('CLI output (both languages, text and JSON) never contains the PIN, right or wrong', async () => {
    const pinFile = path.join(bed.dir, 'pin.txt');
    writeFileSync(pinFile, `${PIN_A}\n`);
    const base = ['token', 'list', '--module', SOFTHSM_MODULE, '--token', LABEL_A, '--login'];
    // Real processes (their bridges' stderr included) for the main cases; the rest in-process.
    // One after the other: SoftHSM2 keeps the failed-login count in the token file, which
    // logins racing from several processes may read half-written.
    const cases: Array<() => Promise<{ code: number; out: string }>> = [
      () => cli([...base, '--pin-env', 'KYSO_TEST_PIN', '--json'], { KYSO_TEST_PIN: PIN_A }),
      () => cli([...base, '--pin-file', pinFile, '--lang', 'en'], {}),
      () => cli([...base, '--pin-env', 'KYSO_TEST_PIN', '--lang', 'vi'], { KYSO_TEST_PIN: WRONG }),
      () => inProcess([...base, '--pin-env', 'KYSO_TEST_PIN', '--lang', 'en', '--json'], { KYSO_TEST_PIN: WRONG }),
      () => inProcess([...base, '--pin-env', 'UNSET_PIN_VAR'], {}),
    ];
    const runs: Array<{ code: number; out: string }> = [];
    for (const run of cases) runs.push(await run());
    expect(runs.map((r) => r.code)).toEqual([0, 0, 1, 1, 1]);
    expect(runs[0]!.out).toContain('"loggedIn": true');
    expect(runs[2]!.out).toContain('Mã PIN không đúng');
    expect(runs[3]!.out).toContain('Wrong PIN');
    expect(runs[4]!.out).toContain('UNSET_PIN_VAR');
    for (const r of runs) expectNoSecret(r.out);
  });

  it('a PIN as a plain argument is rejected (no --pin option exists)', async () => {
    const r = await inProcess(['token', 'list', '--module', SOFTHSM_MODULE, '--login', '--pin', PIN_A], {});
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('--pin');
  });

  it('errors and reports from the API carry no PIN', async () => {
    const tm = new TokenManager({ modules: [SOFTHSM_MODULE], env: bed.hsm.env });
    try {
      const errors: unknown[] = [];
      await tm.login({ module: SOFTHSM_MODULE, label: LABEL_A }, WRONG).catch((e: unknown) => errors.push(e));
      await tm.login({ module: SOFTHSM_MODULE, label: 'missing' }, PIN_A).catch((e: unknown) => errors.push(e));
      await tm.login({ module: SOFTHSM_MODULE, label: LABEL_A }, PIN_A);
      const report = await tm.list();
      expect(errors).toHaveLength(2);
      for (const e of errors) {
        const err = e as Error & { params?: unknown };
        expectNoSecret(`${err.message} ${err.stack ?? ''} ${JSON.stringify(err.params)} ${String(e)}`);
      }
      expectNoSecret(JSON.stringify(report));
    } finally {
      await tm.close();
    }
  });
});
