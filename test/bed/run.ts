/** Runs an external tool (openssl, softhsm2-util, pkcs11-tool) and fails loudly with its stderr. */
import { execFile } from 'node:child_process';

/** Output of a finished tool run. */
export interface RunResult {
  stdout: Buffer;
  stderr: string;
}

/** Runs `cmd args` with optional stdin and env; rejects with stderr on a non-zero exit. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: Buffer | string; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { env: { ...process.env, ...opts.env }, cwd: opts.cwd, encoding: 'buffer', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr.toString() || err.message}`));
      else resolve({ stdout, stderr: stderr.toString() });
    });
    // Always close stdin: a tool that prompts (certutil, openssl) must fail, not hang.
    child.stdin?.end(opts.input);
  });
}

/** True while a process with this pid exists (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
