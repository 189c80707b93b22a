/** What a CLI command may touch: streams, environment, language. Injected so tests can capture it. */
import type { Lang } from '../../resources/locales/index.js';
import { t } from '../../resources/locales/index.js';

export type { Command } from './spec.js';

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
