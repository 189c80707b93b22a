/**
 * Electron entry (dist/main/shell/main.js): the composition root of the desktop app. Creates
 * the core, serves the renderer over kyso-app://, binds the contract to IPC with sender
 * checks, and adds the desktop integrations (single instance, kyso:// links, "open with",
 * tray, notifications, native dialogs). Everything else lives in the plain-Node core.
 */
import path from 'node:path';
import { app, BrowserWindow, ipcMain, protocol, session } from 'electron';
import { resolveLang } from '../../resources/locales/index.js';
import { createCore, type Core, type CoreOptions } from '../services/core.js';
import { packagedCliArgs } from '../cli/packaged.js';
import { kysoHome, packageRoot } from '../services/paths.js';
import { appProtocolHandler } from './app-protocol.js';
import { nativeShellHandlers } from './dialogs.js';
import { bindContract, forwardEvents } from './ipc-binding.js';
import { appScheme, isTrustedSender, parseOpenRequest, type OpenRequest } from './security.js';
import { createTray } from './tray.js';
import { utilityLauncher } from './utility-launcher.js';
import { createMainWindow, lockDown } from './window.js';

// Must run before 'ready': a standard, secure scheme gets a real origin (kyso-app://app),
// fetch support and the same-origin policy, unlike file://.
protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

/** In development Electron's argv is [electron, main.js, ...]; packaged it is [kyso, ...]. */
const argvSkip = app.isPackaged ? 1 : 2;

let win: BrowserWindow | undefined;
let core: Core | undefined;
let pageReady = false;
const queued: OpenRequest[] = [];

/** Hands an open request to the page (queued until the page has loaded). */
function deliver(req: OpenRequest): void {
  if (req.paths.length === 0 && !req.url) return;
  if (core && pageReady) core.bus.emit('app:openRequest', req);
  else queued.push(req);
}

/** Brings the window forward, optionally on a screen. */
function show(screen?: string): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
  if (screen) void win.webContents.executeJavaScript(`location.hash = ${JSON.stringify('#/' + screen)}`);
}

/** Set when a launcher started this binary as the `kyso` command line (`--kyso-cli`). */
const commandLine = packagedCliArgs(process.argv.slice(argvSkip));

if (commandLine) {
  // No window will ever open: no GPU process, and on Linux no display needed (as the launchers
  // ask with these switches; set here too, synchronously, for a binary started without them).
  app.disableHardwareAcceleration();
  if (process.platform === 'linux') app.commandLine.appendSwitch('ozone-platform', 'headless');
  // Loaded only here: the GUI's start-up never compiles the command line's modules.
  void import('./command-line.js').then((m) => m.runAsCommandLine(commandLine));
} else if (!app.requestSingleInstanceLock()) {
  // Another Kyso runs: it receives our argv through 'second-instance'.
  app.quit();
} else {
  if (!app.isDefaultProtocolClient('kyso')) {
    if (app.isPackaged) app.setAsDefaultProtocolClient('kyso');
    else app.setAsDefaultProtocolClient('kyso', process.execPath, [path.resolve(process.argv[1] ?? '')]);
  }
  queued.push(parseOpenRequest(process.argv, argvSkip));
  app.on('second-instance', (_e, argv) => {
    deliver(parseOpenRequest(argv, argvSkip));
    show();
  });
  // macOS delivers files and links as events, possibly before 'ready'.
  app.on('open-file', (e, file) => {
    e.preventDefault();
    deliver({ paths: [file], url: null });
  });
  app.on('open-url', (e, url) => {
    e.preventDefault();
    deliver({ paths: [], url });
  });
  app.on('web-contents-created', (_e, contents) => lockDown(contents));
  void start();
}

/** Starts the core and the window once Electron is ready. */
async function start(): Promise<void> {
  await app.whenReady();
  protocol.handle(appScheme, appProtocolHandler(path.join(packageRoot(), 'dist', 'renderer')));
  // The page needs no camera, microphone, geolocation, notifications API...: refuse all.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  // The token bridge runs in Electron utility processes (a crashing driver never takes main down).
  const options: CoreOptions = {
    host: 'electron',
    home: kysoHome(),
    lang: resolveLang(null, process.env, app.getLocale()),
    launcher: utilityLauncher,
    shell: nativeShellHandlers(() => win),
  };
  const c = await createCore(options);
  core = c;

  const known = new Set<number>();
  bindContract(ipcMain, c, (event) => isTrustedSender(event, known));
  forwardEvents(c, () => BrowserWindow.getAllWindows().map((w) => w.webContents));

  win = createMainWindow();
  const id = win.webContents.id;
  known.add(id);
  win.webContents.on('did-start-loading', () => (pageReady = false));
  win.webContents.on('did-finish-load', () => {
    pageReady = true;
    for (const req of queued.splice(0)) deliver(req);
  });
  win.on('closed', () => {
    known.delete(id);
    win = undefined;
  });
  const disposeTray = createTray(c, show);

  app.on('window-all-closed', () => app.quit());
  let closing = false;
  app.on('before-quit', (e) => {
    if (closing) return;
    closing = true;
    e.preventDefault();
    disposeTray();
    void c.close().finally(() => app.exit(0));
  });
}
