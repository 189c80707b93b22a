/**
 * Security policy of the Electron shell as plain functions (no electron import), so it can be
 * unit-tested with fakes of the objects Electron hands us.
 */
import { contentSecurityPolicy } from '../host/static-files.js';

/** The custom scheme serving the renderer (never file://). */
export const appScheme = 'kyso-app';
/** Origin of every trusted page. */
export const appOrigin = `${appScheme}://app`;
/** URL of the app's page. */
export const appIndexUrl = `${appOrigin}/index.html`;

/** The frame that sent an IPC message, as Electron describes it (WebFrameMain subset). */
export interface FrameLike {
  readonly url: string;
  /** null for a top-level (main) frame. */
  readonly parent: unknown;
}

/** An IPC event, as far as sender validation needs it. */
export interface IpcEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

/**
 * Accepts only calls from the main frame of one of our own windows showing a kyso-app://
 * page: an injected iframe, a foreign page loaded by mistake or a stray webContents is refused.
 */
export function isTrustedSender(event: IpcEventLike, knownWebContents: ReadonlySet<number>): boolean {
  if (!knownWebContents.has(event.sender.id)) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  return `${url.protocol}//${url.host}` === appOrigin;
}

/** The webPreferences of every window: no Node in the page, sandboxed, isolated. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  } as const;
}

/** CSP of pages served by kyso-app:// (no network at all: everything goes through IPC). */
export function shellCsp(): string {
  return contentSecurityPolicy();
}

/** What the OS asked us to open: PDF paths ("open with Kyso") and/or a kyso:// link. */
export interface OpenRequest {
  paths: string[];
  url: string | null;
}

/**
 * Extracts files and a kyso:// link from a command line (first launch or a second instance).
 * Chromium switches and the executable/app path are skipped; only .pdf files are taken.
 */
export function parseOpenRequest(argv: readonly string[], skip = 1): OpenRequest {
  const paths: string[] = [];
  let url: string | null = null;
  for (const arg of argv.slice(skip)) {
    if (arg.startsWith('-')) continue;
    if (/^kyso:\/\//i.test(arg)) url = arg;
    else if (/\.pdf$/i.test(arg)) paths.push(arg);
  }
  return { paths, url };
}
