/**
 * Exit statuses of `kyso`, from one table: 0 done, 1 failed, 2 the command line was wrong
 * (any error of kind `usage`, on every command), 75 (EX_TEMPFAIL) queued for a later retry.
 * A command may map some of its own error codes to another status (verify: 2 when nothing
 * could be checked); commands with verdicts (verify) return their status themselves.
 */
import { errorKind } from '../api/error-kinds.js';
import { isKysoError } from '../api/errors.js';
import type { CommandSpec } from './spec.js';

/** The statuses `kyso` uses. */
export const EXIT = { ok: 0, failed: 1, usage: 2, tempFail: 75 } as const;

/**
 * The exit status for an error a command threw: the tables of the commands on its path (the
 * deepest subcommand first), then the error's kind.
 */
export function exitStatusFor(e: unknown, commands: ReadonlyArray<Pick<CommandSpec, 'exitCodes'> | undefined> = []): number {
  if (!isKysoError(e)) return EXIT.failed;
  for (const c of commands) {
    const status = c?.exitCodes?.[e.code];
    if (status !== undefined) return status;
  }
  return errorKind(e.code) === 'usage' ? EXIT.usage : EXIT.failed;
}
