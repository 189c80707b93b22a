/**
 * Message catalogue for the CLI, the core's errors and the UI. One bundle per domain so that
 * each part of the app owns its own file; keys must be unique across bundles (tested).
 */
import { common } from './common.js';
import { token } from './token.js';
import { sign } from './sign.js';
import { verify } from './verify.js';
import { exchange } from './exchange.js';
import { provision } from './provision.js';
import { ui } from './ui.js';
import { pdf } from './pdf.js';
import { net } from './net.js';
import { cli } from './cli.js';
import { edxml } from './edxml.js';
import { blobs } from './blobs.js';
import { office } from './office.js';
import { axis } from './axis.js';
import { service } from './service.js';
import type { Lang, MessageBundle } from './types.js';

export type { Lang, MessageBundle } from './types.js';

const all = {
  common,
  token,
  sign,
  verify,
  exchange,
  provision,
  ui,
  pdf,
  net,
  cli,
  edxml,
  blobs,
  office,
  axis,
  service,
};

/** The bundles with their literal keys (keys.ts derives the key and error-code types from it). */
export type Bundles = typeof all;

/** Every bundle, in lookup order. */
export const bundles: Record<string, MessageBundle> = all;

const merged: Record<Lang, Record<string, string>> = { vi: {}, en: {} };
for (const b of Object.values(bundles)) {
  Object.assign(merged.vi, b.vi);
  Object.assign(merged.en, b.en);
}

/** Translates a key, filling {placeholders}; falls back to English, then to the key itself. */
export function t(lang: Lang, key: string, params: Record<string, unknown> = {}): string {
  const template = merged[lang][key] ?? merged.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** True when the catalogue has this key in the given language. */
export function hasMessage(lang: Lang, key: string): boolean {
  return key in merged[lang];
}

/**
 * An error reported as data (`{code, params}`, with a fallback text): its message in `lang`
 * when the catalogue has `error.<code>` and the parameters came along, else the fallback.
 */
export function errorText(lang: Lang, e: { code: string; params?: Record<string, unknown>; message?: string; detail?: string }): string {
  if (e.params && hasMessage(lang, `error.${e.code}`)) return t(lang, `error.${e.code}`, e.params);
  return e.message ?? e.detail ?? e.code;
}

/** Picks the language: explicit value, then KYSO_LANG, then the locale ('vi*' -> vi), else vi. */
export function resolveLang(explicit?: string | null, env: Record<string, string | undefined> = {}, locale?: string): Lang {
  for (const v of [explicit, env.KYSO_LANG]) {
    if (v === 'vi' || v === 'en') return v;
  }
  const loc = locale ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? '';
  if (/^en/i.test(loc)) return 'en';
  return 'vi';
}
