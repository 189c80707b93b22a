/**
 * Error codes shared by the core, the CLI and the UI. A code names a message key in
 * resources/locales (`error.<code>`); params fill its placeholders. Never put a PIN, a key or
 * a session secret in params.
 */

/** Params of a KysoError: plain values only so they survive serialization. */
export type ErrorParams = Record<string, string | number | boolean | null>;

/** An error the user can act on, identified by a stable code with localized text. */
export class KysoError extends Error {
  readonly code: string;
  readonly params: ErrorParams;

  constructor(code: string, params: ErrorParams = {}, options?: { cause?: unknown }) {
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
