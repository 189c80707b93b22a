/**
 * Error codes shared by the core, the CLI and the UI. A code names a message key in
 * resources/locales (`error.<code>`); params fill its placeholders. Never put a PIN, a key or
 * a session secret in params.
 */

import type { ErrorCode } from '../../resources/locales/keys.js';

export type { ErrorCode } from '../../resources/locales/keys.js';

/** Params of a KysoError: plain values only so they survive serialization. */
export type ErrorParams = Record<string, string | number | boolean | null>;

/** An error the user can act on, identified by a stable code with localized text. */
export class KysoError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams;

  constructor(code: ErrorCode, params: ErrorParams = {}, options?: { cause?: unknown }) {
    super(code + (Object.keys(params).length ? ' ' + JSON.stringify(params) : ''), options);
    this.name = 'KysoError';
    this.code = code;
    this.params = params;
  }
}

/** True for a KysoError, including one rebuilt from another realm. */
export function isKysoError(e: unknown): e is KysoError {
  return e instanceof KysoError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'KysoError');
}

/**
 * A code that arrives as data (a server's FAIL envelope, the token bridge's reply). It is
 * kept as given: a code this build has no message for still travels, and its text falls
 * back to the detail the peer sent.
 */
export function errorCodeOf(code: string): ErrorCode {
  return code as ErrorCode;
}
