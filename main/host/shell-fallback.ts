/**
 * The browser host's answers to the shell-only operations (dialogs, open/show file). A web
 * page has no native dialogs, so `native: false` tells the screen to offer a path field; the
 * host runs on the user's own machine, so opening a file or folder uses the OS opener.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { KysoError } from '../api/errors.js';
import type { ShellHandlers } from '../services/types.js';
import { openBrowser } from './open-browser.js';

/** Opens a path with the OS opener after checking that it exists. */
function openExisting(p: string): { opened: boolean } {
  if (!existsSync(p)) throw new KysoError('fileNotFound', { path: p });
  openBrowser(p);
  return { opened: true };
}

/** Handlers installed into the core by the browser host. */
export function browserShellHandlers(): ShellHandlers {
  return {
    'dialog:openFiles': async () => ({ paths: [], native: false }),
    'dialog:saveFile': async () => ({ path: null, native: false }),
    'shell:openPath': async ({ path: p }) => openExisting(path.resolve(p)),
    'shell:showItemInFolder': async ({ path: p }) => openExisting(path.dirname(path.resolve(p))),
  };
}
