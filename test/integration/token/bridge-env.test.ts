/**
 * Issue 15.9: the PIN variable (`--pin-env VAR`, or one named like a PIN) and the TSA
 * credentials never reach a token-bridge process. The PIN travels once over the bridge's
 * channel; in the worker's environment it sat readable in /proc/<pid>/environ for the whole
 * run, and Node's NODE_DEBUG=child_process trace printed it. Real `kyso` runs (in-process and
 * as a process) fork real bridges on SoftHSM2; every bridge seen is read from /proc.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';
import { SOFTHSM_MODULE } from '../../bed/softhsm.js';
import { createTokenBed, LABEL_A, PIN_A, type TokenBed } from './fixture.js';

const kyso = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kyso.js');
const TSA_PASSWORD = 'tsa-pass-5f2c81';
let bed: TokenBed;

beforeAll(async () => {
  bed = await createTokenBed();
});
afterAll(() => bed?.cleanup());

/** Pids of the live children of `pid` (all its threads). */
function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) => {
      try {
        return readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** Environments of the bridge workers under `root` while `during` runs, read as soon as each appears. */
async function bridgeEnvirons(root: () => number | undefined, during: Promise<unknown>): Promise<string[]> {
  const seen = new Map<number, string>();
  let done = false;
  void during.finally(() => (done = true));
  while (!done) {
    const r = root();
    const queue = r ? children(r) : [];
    while (queue.length) {
      const pid = queue.shift()!;
      queue.push(...children(pid));
      if (seen.has(pid)) continue;
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (/bridge[/\\]worker\.(ts|js)/.test(cmdline)) seen.set(pid, readFileSync(`/proc/${pid}/environ`, 'utf8'));
      } catch {
        // Exited between the listing and the read.
      }
    }
    await new Promise((res) => setTimeout(res, 5));
  }
  await during;
  return [...seen.values()];
}

function expectClean(environ: string, secrets: string[]): void {
  const vars = environ.split('\0');
  for (const s of secrets) expect(vars.filter((v) => v.includes(s)).map((v) => v.slice(0, v.indexOf('=') + 1)), 'bridge variables holding a secret').toEqual([]);
}

describe('bridge environment', { timeout: 240_000 }, () => {
  it('kyso token list --login: the variable --pin-env names, KYSO_PIN and the TSA password are not in the bridge', async () => {
    let out = '';
    const env = { ...process.env, ...bed.hsm.env, OFFICE_TOKEN_CODE: PIN_A, KYSO_PIN: PIN_A, KYSO_TSA_USER: 'tsa-user', KYSO_TSA_PASSWORD: TSA_PASSWORD };
    const run = runCli(['token', 'list', '--module', SOFTHSM_MODULE, '--token', LABEL_A, '--login', '--pin-env', 'OFFICE_TOKEN_CODE', '--json'], { env, out: (t) => (out += t), err: (t) => (out += t), isTty: false });
    const environs = await bridgeEnvirons(() => process.pid, run);
    expect(await run).toBe(0);
    expect(out).toContain('"loggedIn": true'); // the PIN did reach the token, over the channel
    expect(environs.length).toBeGreaterThan(0);
    for (const e of environs) {
      expectClean(e, [PIN_A, TSA_PASSWORD, 'OFFICE_TOKEN_CODE=', 'KYSO_TSA_USER=']);
      expect(e).toContain('SOFTHSM2_CONF='); // what the driver needs still gets there
    }
  });

  it('kyso sign (whose bridge starts before the PIN is read) keeps them out too', async () => {
    const out = path.join(bed.dir, 'signed-env.pdf');
    let text = '';
    const env = { ...process.env, ...bed.hsm.env, SIGNING_CODE_7: PIN_A, KYSO_TSA_PASSWORD: TSA_PASSWORD };
    const run = runCli(['sign', 'test/fixtures/cong-van-mau.pdf', '-o', out, '--module', SOFTHSM_MODULE, '--token', LABEL_A, '--cert', 'Nguyễn Văn An', '--pin-env', 'SIGNING_CODE_7'], { env, out: (t) => (text += t), err: (t) => (text += t), isTty: false });
    const environs = await bridgeEnvirons(() => process.pid, run);
    expect(await run, text).toBe(0);
    expect(environs.length).toBeGreaterThan(0);
    for (const e of environs) expectClean(e, [PIN_A, TSA_PASSWORD, 'SIGNING_CODE_7=']);
  });

  it("a kyso process under NODE_DEBUG=child_process: the bridge's environment and Node's trace hold no PIN", async () => {
    let pid: number | undefined;
    const run = new Promise<{ code: number; out: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [kyso, 'token', 'list', '--module', SOFTHSM_MODULE, '--token', LABEL_A, '--login', '--pin-env', 'DESK_CODE'],
        // TSX_DISABLE_CACHE: tsx's esbuild child then starts on every run, as it does on a cold cache.
        { env: { ...process.env, ...bed.hsm.env, DESK_CODE: PIN_A, KYSO_TSA_PASSWORD: TSA_PASSWORD, NODE_DEBUG: 'child_process', KYSO_FROM_SOURCE: '1', TSX_DISABLE_CACHE: '1' } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
      pid = child.pid;
    });
    const environs = await bridgeEnvirons(() => pid, run);
    const r = await run;
    expect(r.code, r.out).toBe(0);
    // Node's trace prints each spawn's options, environment included. From the sources, tsx may
    // also start its esbuild service (a development-only child with the caller's environment):
    // the blocks that matter are the bridge's.
    const bridgeSpawns = r.out.split(/^(?=CHILD_PROCESS \d+: )/m).filter((b) => /^CHILD_PROCESS \d+: spawn/.test(b) && /bridge[/\\]worker\.(ts|js)/.test(b));
    expect(bridgeSpawns.length).toBeGreaterThan(0);
    for (const block of bridgeSpawns) {
      expect(block).toContain('SOFTHSM2_CONF');
      for (const s of [PIN_A, TSA_PASSWORD, 'DESK_CODE']) {
        const at = block.indexOf(s);
        expect(at, `trace holds a secret: …${block.slice(Math.max(0, at - 80), at + 20)}…`).toBe(-1);
      }
    }
    expect(environs.length).toBeGreaterThan(0);
    for (const e of environs) expectClean(e, [PIN_A, TSA_PASSWORD]);
  });
});
