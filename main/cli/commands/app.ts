/** `kyso app`: opens the app (Electron when its binary is present, else the browser host). */
import { KysoError } from '../../api/errors.js';
import type { Command } from '../io.js';

/** The `app` subcommand (filled in by the browser-host work). */
export const appCommand: Command = {
  name: 'app',
  summaryKey: 'cli.cmd.app',
  async run() {
    throw new KysoError('notImplemented', { feature: 'kyso app' });
  },
};
