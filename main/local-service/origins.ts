/**
 * Which web sites may call the service: the user's answer per origin (scheme, host and
 * port, from the WebSocket's Origin header, never what the page's script says about itself),
 * remembered in the settings store so the app, Settings and `kyso service` share it.
 */
import { KysoError } from '../api/errors.js';
import type { JsonValue } from '../store/settings-repo.js';
import { SERVICE_KEYS } from './config.js';

/** Reads and writes settings (the store's SettingsRepo). */
export interface SettingsAccess {
  get(key: string): JsonValue | undefined;
  set(key: string, value: JsonValue): void;
}

/** The remembered answer for one origin. */
export interface OriginDecision {
  origin: string;
  allowed: boolean;
  /** ISO time of the answer. */
  decidedAt: string;
}

/**
 * The canonical form of an Origin header value ("https://qlvb.tinh.gov.vn"), or undefined for
 * anything that is not an http(s) origin ("null" from sandboxed frames and file:// pages).
 */
export function canonicalOrigin(raw: string | undefined | null): string | undefined {
  if (!raw || raw === 'null') return undefined;
  try {
    const u = new URL(raw);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

/** Like canonicalOrigin, for a value a person typed: throws serviceBadOrigin. */
export function parseOrigin(raw: string): string {
  const o = canonicalOrigin(raw.trim().replace(/\/+$/, ''));
  if (!o || new URL(raw.trim()).pathname.replace(/\/+$/, '') !== '') throw new KysoError('serviceBadOrigin', { origin: raw });
  return o;
}

/** The origins store over the settings. */
export class OriginStore {
  constructor(private readonly settings: SettingsAccess) {}

  private read(): Record<string, { allowed: boolean; at: string }> {
    const v = this.settings.get(SERVICE_KEYS.origins);
    const out: Record<string, { allowed: boolean; at: string }> = {};
    if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
    for (const [k, d] of Object.entries(v)) {
      const o = canonicalOrigin(k);
      if (o && d && typeof d === 'object' && !Array.isArray(d) && typeof d.allowed === 'boolean') out[o] = { allowed: d.allowed, at: typeof d.at === 'string' ? d.at : '' };
    }
    return out;
  }

  /** The remembered answer, or undefined when the user was never asked. */
  get(origin: string): boolean | undefined {
    return this.read()[origin]?.allowed;
  }

  /** Remembers an answer; null forgets the origin (it will be asked again). */
  set(origin: string, allowed: boolean | null): void {
    const all = this.read();
    if (allowed === null) delete all[origin];
    else all[origin] = { allowed, at: new Date().toISOString() };
    this.settings.set(SERVICE_KEYS.origins, Object.fromEntries(Object.entries(all).map(([k, d]) => [k, { allowed: d.allowed, at: d.at }])));
  }

  /** Every remembered origin, allowed first, then by name. */
  list(): OriginDecision[] {
    return Object.entries(this.read())
      .map(([origin, d]) => ({ origin, allowed: d.allowed, decidedAt: d.at }))
      .sort((a, b) => Number(b.allowed) - Number(a.allowed) || a.origin.localeCompare(b.origin));
  }
}

/**
 * True when `url` may be fetched from (or posted to) for a page of `origin`: the page's own
 * origin, or a host the administrator allowed (a bare host name, "host:port", or an origin).
 */
export function urlAllowedFor(url: URL, origin: string, allowedHosts: string[]): boolean {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.origin === origin) return true;
  return allowedHosts.some((h) => {
    const entry = h.toLowerCase();
    if (entry.includes('://')) return canonicalOrigin(entry) === url.origin;
    return entry === url.host.toLowerCase() || entry === url.hostname.toLowerCase();
  });
}
