/** Process entry of the `kyso` command (bin/kyso.js loads this, or the bundle built from it). */
import { commandLineArgs } from './packaged.js';
import { runCli } from './run.js';

// No top-level await: the shipped bundle is a CommonJS script (launch.ts, for V8's code cache).
void runCli(commandLineArgs(process.argv.slice(2)), {
  env: process.env,
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTty: Boolean(process.stdin.isTTY),
}).then((status) => {
  process.exitCode = status;
});
