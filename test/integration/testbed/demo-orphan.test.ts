/**
 * Demo mode stops its inbox server and app when its parent goes away without a signal to it
 * (npm stopped by SIGTERM kills only its own shell), instead of leaving them running.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { isAlive } from '../../bed/run.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const home = mkdtempSync(path.join(os.tmpdir(), 'kyso-demo-orphan-'));
const started: number[] = [];
afterAll(() => {
  // Whatever the verdict, leave no process behind.
  for (const pid of started.filter(isAlive)) process.kill(pid, 'SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

/** A port free right now on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Pids of the direct children of pid. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}


it('stops the inbox server and the app when its parent shell is killed', async () => {
  const [bedPort, inboxPort] = [await freePort(), await freePort()];
  // `; true` keeps sh as a real parent (no exec of the last command).
  const sh = spawn('sh', ['-c', 'node --import tsx test/bed/demo.ts --browser --no-open; true'], {
    cwd: root,
    env: { ...process.env, KYSO_HOME: home, KYSO_DEMO_PORT: String(bedPort), KYSO_DEMO_INBOX_PORT: String(inboxPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  sh.stdout.on('data', (d: Buffer) => (out += d.toString()));
  sh.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await expect.poll(() => out, { timeout: 120_000, interval: 250 }).toMatch(/Kyso: http:\/\/127\.0\.0\.1:\d+\//);

  const [demo] = childrenOf(sh.pid!);
  expect(demo).toBeDefined();
  const services = childrenOf(demo!).filter((pid) => /kyso\.js (server|app)/.test(execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' })));
  started.push(demo!, ...services);
  expect(services).toHaveLength(2);

  sh.kill('SIGKILL');
  await expect.poll(() => [demo!, ...services].filter(isAlive), { timeout: 20_000, interval: 250 }).toEqual([]);
}, 180_000);
