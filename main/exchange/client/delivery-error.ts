/**
 * Why an upload failed, as kept in the outbox (`last_error`): the error code and its
 * parameters, so the Send screen and `kyso outbox` say it in the reader's language instead of
 * showing the English transport message stored at the time.
 */
import { errorText, type Lang } from '../../../resources/locales/index.js';
import type { ServerError } from './http.js';

/** The stored form of a failed attempt (JSON: code and params). */
export function encodeDeliveryError(err: ServerError): string {
  return JSON.stringify({ code: err.code, params: { detail: err.message, ...err.params } });
}

/** The stored failure in the reader's language; text stored by older versions is returned as is. */
export function describeDeliveryError(stored: string | null, lang: Lang): string | null {
  if (stored === null) return null;
  try {
    const e = JSON.parse(stored) as { code?: unknown; params?: unknown };
    if (typeof e.code === 'string' && typeof e.params === 'object' && e.params !== null) {
      const params = e.params as Record<string, unknown>;
      return errorText(lang, { code: e.code, params, message: `${e.code}: ${String(params.detail ?? '')}` });
    }
  } catch {
    // Plain text from before the outbox kept codes.
  }
  return stored;
}
