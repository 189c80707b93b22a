/** What a CLI command may touch: streams, environment, language. Injected so tests can capture it. */
import type { Lang } from '../../resources/locales/index.js';
import { t } from '../../resources/locales/index.js';

/** The command's view of the outside world. */
export interface CliIo {
  lang: Lang;
  env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
  /** True when stdin is a terminal (a hidden PIN prompt is possible). */
  isTty: boolean;
}

/** Translates with the command's language. */
export function tr(io: CliIo, key: string, params?: Record<string, unknown>): string {
  return t(io.lang, key, params);
}

/** A subcommand of `kyso`. */
export interface Command {
  name: string;
  /** Message key of the one-line summary shown by `kyso --help`. */
  summaryKey: string;
  /** Runs the command; resolves to the process exit status. */
  run(argv: string[], io: CliIo): Promise<number>;
  /** Exit status for the errors this command reports specially (every other error: 1). */
  exitCodes?: Readonly<Record<string, number>>;
}
