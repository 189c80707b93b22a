/** Runs the real `kyso` CLI entry in-process with captured output and a chosen environment. */
import { runCli } from '../../../main/cli/run.js';

/** Exit status and captured streams of one CLI run. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `kyso ...argv` with `env` (KYSO_HOME selects the organization's data directory). */
export async function kyso(argv: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await runCli(['--lang', 'en', ...argv], { env, out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, out, err };
}
