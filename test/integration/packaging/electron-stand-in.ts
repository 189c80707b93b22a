/**
 * Stand-in for the installed Electron binary (/opt/Kyso/kyso) in the deb tests, which cannot
 * download Electron: it makes main/shell/main.ts's decision with the same function
 * (packagedCliArgs), then runs the CLI bundle with the same argv (its entry takes the same
 * prefix) or records that it would open the app. Every start is logged (uid, argv, what it did),
 * so the tests see exactly what the launcher handed the binary. Bundled by deb-bed.ts.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { packagedCliArgs } from '../../../main/cli/packaged.js';

/** Set at bundling time: the log (one JSON line per start) and the CLI bundle's entry. */
declare const STAND_IN_LOG: string;
declare const CLI_MAIN: string;

const args = process.argv.slice(2);
const cli = packagedCliArgs(args);
appendFileSync(STAND_IN_LOG, JSON.stringify({ uid: process.getuid?.(), args, mode: cli ? 'cli' : 'app' }) + '\n');
if (cli) {
  const r = spawnSync(process.execPath, [CLI_MAIN, ...args], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}
