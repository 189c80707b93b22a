/** native/bridge/launcher.ts: a prewarmed bridge worker is adopted by the next launch, or cleaned up. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../bed/run.js';
import { exitFanout, forkLauncher, prewarmWorker, workerEnv } from '../../../native/bridge/launcher.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');


describe('prewarmed bridge workers', () => {
  it('the next launch with the same environment adopts the prewarmed process; another environment gets a new one', () => {
    const env = workerEnv({ ...process.env, KYSO_PREWARM_TEST: '1' });
    const pid = prewarmWorker(env);
    const adopted = forkLauncher.launch({ ...env });
    const other = forkLauncher.launch({ ...env, KYSO_PREWARM_TEST: '2' });
    try {
      expect(pid).toBeGreaterThan(0);
      expect(adopted.pid).toBe(pid);
      expect(other.pid).not.toBe(pid);
    } finally {
      adopted.kill();
      other.kill();
    }
  });

  it('a process that prewarms and never adopts exits on its own and leaves no worker behind', async () => {
    const script = `import { prewarmWorker } from ${JSON.stringify(path.join(root, 'native/bridge/launcher.ts'))}; console.log(prewarmWorker(process.env));`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    await expect.poll(() => isAlive(pid), { timeout: 10_000 }).toBe(false);
  });

  it('exit listeners added after the exit are still called, once', () => {
    const fan = exitFanout();
    fan.fire(3, null);
    fan.fire(4, null);
    const seen: Array<number | null> = [];
    fan.add((code) => seen.push(code));
    expect(seen).toEqual([3]);
  });
});
