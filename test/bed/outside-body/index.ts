/**
 * Starts the demo's outside body (a second organization that answers what it receives) as a
 * child process, so it trusts the inbox server's TLS root through NODE_EXTRA_CA_CERTS like
 * the app does. See answer.ts for what it does, inbox-transport.ts for how.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { OutsideBodyConfig } from './inbox-transport.js';

export type { OutsideBodyConfig } from './inbox-transport.js';

/** A running outside body. */
export interface OutsideBody {
  /** Everything it logged (its actions), for tests and the demo's console. */
  output(): string;
  stop(): Promise<void>;
}

const runScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run.ts');

/** Spawns the body with `env` and resolves once it is ready (or rejects when it exits first). */
export async function startOutsideBody(config: OutsideBodyConfig, env: NodeJS.ProcessEnv, echo?: (line: string) => void): Promise<OutsideBody> {
  mkdirSync(config.home, { recursive: true });
  const file = path.join(config.home, 'outside-body.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', runScript, file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  createInterface({ input: child.stderr! }).on('line', (l) => {
    out += `${l}\n`;
    echo?.(l);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`outside body exited (${code}):\n${out}`)));
    createInterface({ input: child.stdout! }).once('line', () => resolve());
  });
  return {
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
