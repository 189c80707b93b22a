/** Process entry of the `kyso` command (bin/kyso.js loads this). */
import { runCli } from './run.js';

const status = await runCli(process.argv.slice(2), {
  env: process.env,
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTty: Boolean(process.stdin.isTTY),
});
process.exitCode = status;
