/** Options every `kyso server` administration command shares, and its required-value check. */
import { KysoError } from '../../api/errors.js';
import type { OptionSpecs } from '../spec.js';

/** The data directory and database every server command takes, and --json. */
export const DB: OptionSpecs = {
  data: { type: 'string', value: 'DIR', help: 'cli.opt.server.data' },
  db: { type: 'string', value: 'sqlite|postgres://...', help: 'cli.opt.server.db' },
  json: { type: 'boolean', help: 'cli.opt.json' },
};

/** A required string option's value, or the usage error naming it. */
export function need(v: unknown, option: string): string {
  if (typeof v !== 'string' || !v) throw new KysoError('cliMissingValue', { option });
  return v;
}
