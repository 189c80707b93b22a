/** Starts `kyso app --browser` as a real process for an E2E spec and stops it afterwards. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Package root (test/e2e/helpers -> ../../..). */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A running browser host process. */
export interface HostProcess {
  url: string;
  origin: string;
  home: string;
  /** Output the host wrote (to check that nothing secret leaked). */
  output(): string;
  stop(): Promise<number | null>;
}

/** Spawns the CLI with a temp KYSO_HOME (unless given) and waits for its `Kyso: URL` line. */
export async function startHostProcess(env: NodeJS.ProcessEnv = {}, lang = 'vi'): Promise<HostProcess> {
  const ownHome = !env.KYSO_HOME;
  const home = env.KYSO_HOME ?? mkdtempSync(path.join(os.tmpdir(), 'kyso-e2e-home-'));
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'bin', 'kyso.js'), 'app', '--browser', '--no-open', '--lang', lang], {
    cwd: root,
    env: { ...process.env, KYSO_FROM_SOURCE: '1', ...env, KYSO_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /^Kyso: (http:\/\/127\.0\.0\.1:\d+\/\S+)$/m.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`kyso app exited (${code}) before printing its URL:\n${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url,
    origin: new URL(url).origin,
    home,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (ownHome) rmSync(home, { recursive: true, force: true });
      return code;
    },
  };
}
