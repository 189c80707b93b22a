/**
 * Picks the transport: `window.kyso` from the Electron preload when present, else the
 * browser host's WebSocket with the session secret from the page URL.
 */
import type { AppApi } from '../../../main/api/index.js';
import { createWsClient } from './ws-client.js';

declare global {
  interface Window {
    /** Exposed by preload/preload.ts in the Electron app. */
    kyso?: AppApi & { pathForFile?(file: File): string };
  }
}

const secretKey = 'kyso.session';

/**
 * Reads the session secret from `#s=...`, keeps it for reloads of this tab only, and removes
 * it from the address bar so it does not show in screenshots or history.
 */
export function takeSessionSecret(): string | null {
  const m = /(?:^#|&)s=([^&]+)/.exec(window.location.hash);
  if (m?.[1]) {
    const secret = decodeURIComponent(m[1]);
    sessionStorage.setItem(secretKey, secret);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return secret;
  }
  return sessionStorage.getItem(secretKey);
}

/** Connects to the core; undefined when there is neither a preload nor a secret. */
export function connect(disconnected: () => string): AppApi | undefined {
  if (window.kyso) return window.kyso;
  const secret = takeSessionSecret();
  if (!secret) return undefined;
  return createWsClient(window.location.origin, secret, disconnected).api;
}
