/**
 * The installed app as the `kyso` command line: the Electron entry hands argv here when a
 * launcher asked for it (`--kyso-cli`, main/cli/packaged.ts). The packaged binary cannot run
 * Kyso's CLI as a Node script (its runAsNode fuse is off), so the command runs in this main
 * process, the same code as `node bin/kyso.js`, and no window, tray or single-instance lock is
 * ever made: `kyso verify` beside an open Kyso works, and so do the installers' and the login
 * autostart's `service install-ca`.
 */
import { spawn } from 'node:child_process';
import { app } from 'electron';
import { runCli, takeLang } from '../cli/run.js';

/** Exit status when the command itself threw (the CLI maps its own errors to statuses). */
const INTERNAL_FAILURE = 70;

/** Runs the command line in this process, then exits with its status. */
export async function runAsCommandLine(args: string[]): Promise<void> {
  app.dock?.hide();
  // `kyso app` from a terminal: open the app as a separate, ordinary process (this one has no
  // display when the launcher chose Ozone's headless platform). `kyso app --browser` stays a
  // command. The command word is found as the CLI finds it: after a global `--lang X`.
  const { rest } = takeLang(args);
  if (rest[0] === 'app' && !rest.includes('--browser') && !rest.includes('--help') && !rest.includes('-h')) {
    spawn(process.execPath, [], { detached: true, stdio: 'ignore' }).unref();
    app.exit(0);
    return;
  }
  let status = INTERNAL_FAILURE;
  try {
    status = await runCli(args, {
      env: process.env,
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s),
      isTty: Boolean(process.stdin.isTTY),
    });
  } catch (e) {
    process.stderr.write(`kyso: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  app.exit(status);
}
