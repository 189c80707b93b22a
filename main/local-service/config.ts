/**
 * The service's settings: ports, limits, the hosts an administrator lets pages fetch from and
 * upload to, the token to use. Read from the app's settings (`service.*` keys, shared by the
 * app and `kyso service` through KYSO_HOME) and overridden by command-line options.
 */
import path from 'node:path';
import type { JsonValue } from '../store/settings-repo.js';

/** Settings keys of the service. */
export const SERVICE_KEYS = {
  enabled: 'service.enabled',
  origins: 'service.origins',
  allowedHosts: 'service.allowedHosts',
  placements: 'service.placements',
  anchors: 'service.anchors',
  token: 'service.token',
  maxFileMb: 'service.maxFileMb',
  sessionCookie: 'service.sessionCookieName',
  vgcaPort: 'service.vgcaPort',
  vnptPort: 'service.vnptPort',
  vnpt: 'service.vnpt',
} as const;

/** Which token and certificate the service signs with (default: the first usable one). */
export interface TokenPick {
  module?: string;
  token?: string;
  cert?: string;
}

/** Everything the running service needs to know. */
export interface ServiceConfig {
  /** KYSO_HOME. */
  home: string;
  /** The VGCA-compatible port (8987). */
  vgcaPort: number;
  /** VNPT-CA-compatible ports to try in order (4433, 4434, 4435); empty: off. */
  vnptPorts: number[];
  /** Largest document fetched or accepted, bytes. */
  maxFileBytes: number;
  /** Deadline of one download (the whole body), ms. */
  fetchTimeoutMs: number;
  /** Deadline of one upload, the handler's answer included, ms. */
  uploadTimeoutMs: number;
  /** Largest answer of an upload handler kept (it goes back to the page verbatim). */
  maxAnswerBytes: number;
  /** Most documents in one batch call. */
  maxBatch: number;
  /** Signing requests one origin may have waiting besides the one being handled. */
  perOriginQueue: number;
  /** Requests (of any kind) one origin may make per minute. */
  perOriginPerMinute: number;
  /** How long a consent question waits for the user. */
  consentTimeoutMs: number;
  /** Hosts (or origins) besides the page's own that documents may come from and go to. */
  allowedHosts: string[];
  /** Cookie name the page's SessionId is sent under when it is a bare value. */
  sessionCookieName: string;
  token: TokenPick;
}

/** The service's folder under KYSO_HOME (TLS files, audit log, temp files). */
export function serviceDir(home: string): string {
  return path.join(home, 'local-service');
}

/** Defaults, as shipped. */
export function defaultConfig(home: string): ServiceConfig {
  return {
    home,
    vgcaPort: 8987,
    vnptPorts: [4433, 4434, 4435],
    maxFileBytes: 256 << 20,
    fetchTimeoutMs: 120_000,
    uploadTimeoutMs: 120_000,
    maxAnswerBytes: 1 << 20,
    maxBatch: 200,
    perOriginQueue: 3,
    perOriginPerMinute: 60,
    consentTimeoutMs: 5 * 60_000,
    allowedHosts: [],
    // ASP.NET handlers (FileUploadHandler.aspx) are what VGCA integrations mostly post to.
    sessionCookieName: 'ASP.NET_SessionId',
    token: {},
  };
}

const strings = (v: JsonValue | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim()) : []);
const port = (v: JsonValue | undefined): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65536 ? v : undefined);

/** The configuration from the settings store (unknown or malformed values fall back to defaults). */
export function configFromSettings(home: string, get: (key: string) => JsonValue | undefined): ServiceConfig {
  const c = defaultConfig(home);
  c.allowedHosts = strings(get(SERVICE_KEYS.allowedHosts));
  const mb = get(SERVICE_KEYS.maxFileMb);
  if (typeof mb === 'number' && mb > 0 && mb <= 4096) c.maxFileBytes = Math.floor(mb * 1024 * 1024);
  const cookie = get(SERVICE_KEYS.sessionCookie);
  if (typeof cookie === 'string' && /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/.test(cookie)) c.sessionCookieName = cookie;
  c.vgcaPort = port(get(SERVICE_KEYS.vgcaPort)) ?? c.vgcaPort;
  const vnpt = port(get(SERVICE_KEYS.vnptPort));
  if (vnpt) c.vnptPorts = [vnpt, vnpt + 1, vnpt + 2].filter((p) => p < 65536);
  if (get(SERVICE_KEYS.vnpt) === false) c.vnptPorts = [];
  const tok = get(SERVICE_KEYS.token);
  if (tok && typeof tok === 'object' && !Array.isArray(tok)) {
    for (const k of ['module', 'token', 'cert'] as const) if (typeof tok[k] === 'string' && tok[k]) c.token[k] = tok[k];
  }
  return c;
}
