/** The main window: secure preferences, kyso-app:// page, navigation and new windows denied. */
import path from 'node:path';
import { BrowserWindow, shell, type WebContents } from 'electron';
import { packageRoot, resourcePath } from '../services/paths.js';
import { appIndexUrl, secureWebPreferences } from './security.js';

/** Denies every navigation away from the app page and every window.open. */
export function lockDown(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Only plain https links (e.g. help pages) go to the system browser; nothing opens in-app.
    if (/^https:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** Creates the main window on the app page. */
export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Kyso',
    icon: resourcePath('icons', 'icon.png'),
    webPreferences: secureWebPreferences(path.join(packageRoot(), 'dist', 'preload', 'preload.cjs')),
  });
  lockDown(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(appIndexUrl);
  return win;
}
