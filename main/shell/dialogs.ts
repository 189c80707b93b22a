/** Native implementations of the shell-only operations (dialogs, open/show a file). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BrowserWindow, dialog, shell } from 'electron';
import { KysoError } from '../api/errors.js';
import type { ShellHandlers } from '../services/types.js';

/** The Electron shell's answers to the shell operations, passed into createCore. */
export function nativeShellHandlers(window: () => BrowserWindow | undefined): ShellHandlers {
  return {
    'dialog:openFiles': async ({ title, filters, multiple, directory }) => {
      const props: Array<'openFile' | 'openDirectory' | 'multiSelections'> = [directory ? 'openDirectory' : 'openFile'];
      if (multiple) props.push('multiSelections');
      const options = { title, filters, properties: props };
      const w = window();
      const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
      return { paths: r.canceled ? [] : r.filePaths, native: true };
    },
    'dialog:saveFile': async ({ title, defaultPath, filters }) => {
      // Linux's dialog asks before replacing a file only when told to (Windows' and macOS' always
      // do): the page then does not ask again for the same file (renderer/src/saveTarget.ts).
      const options = { title, defaultPath, filters, properties: ['showOverwriteConfirmation' as const, 'createDirectory' as const] };
      const w = window();
      const r = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
      return { path: r.canceled || !r.filePath ? null : r.filePath, native: true };
    },
    'shell:openPath': async ({ path: p }) => {
      if (!existsSync(p)) throw new KysoError('fileNotFound', { path: p });
      // openPath resolves to an error string, empty on success.
      return { opened: (await shell.openPath(path.resolve(p))) === '' };
    },
    'shell:showItemInFolder': async ({ path: p }) => {
      if (!existsSync(p)) throw new KysoError('fileNotFound', { path: p });
      shell.showItemInFolder(path.resolve(p));
      return { opened: true };
    },
  };
}
