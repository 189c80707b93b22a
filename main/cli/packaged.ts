/**
 * The installed app's binary is also the `kyso` command line. Its launchers (the deb's `kyso`
 * on PATH, build/linux/kyso-command.sh; the Windows installer; the Linux login autostart) start
 * it as `<binary> [launcher switches] --kyso-cli <command> ...`, and the Electron entry then runs
 * the command instead of opening a window (main/shell/command-line.ts). The CLI's own entry
 * (main/cli/main.ts) takes the same prefix, so a launcher works unchanged against either.
 */

/** The flag that turns the app's binary into the command line; what follows is the CLI's argv. */
export const CLI_FLAG = '--kyso-cli';

/**
 * Chromium switches a launcher may put before the flag: no display is needed or wanted for a
 * command (Ozone's headless platform; no GPU process).
 */
export const LAUNCHER_SWITCHES: readonly string[] = ['--ozone-platform=headless', '--disable-gpu'];

/**
 * The command line's argv when `args` (the process arguments after the program) ask for it,
 * else null. Only the launcher switches may come before the flag: a kyso:// link or a file the
 * OS passes first (where a hostile link could try to smuggle arguments in) always opens the app.
 */
export function packagedCliArgs(args: readonly string[]): string[] | null {
  let i = 0;
  while (i < args.length && LAUNCHER_SWITCHES.includes(args[i]!)) i++;
  return args[i] === CLI_FLAG ? args.slice(i + 1) : null;
}

/** argv for the CLI: the part after a launcher's prefix, or all of it when there is none. */
export function commandLineArgs(args: readonly string[]): string[] {
  return packagedCliArgs(args) ?? [...args];
}
