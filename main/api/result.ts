/** Result envelopes that cross process boundaries (Electron IPC, WebSocket). */
import { z } from 'zod';
import { errorParamsSchema } from './contract/error-params.js';

/** Error payload carried inside a failed envelope: stable code, localized message, params. */
export const errorPayloadSchema = z.object({
  code: z.string(),
  message: z.string(),
  params: errorParamsSchema.optional(),
});
/** Error payload carried inside a failed envelope. */
export type ErrorPayload = z.infer<typeof errorPayloadSchema>;

/** `{ ok: true, value }` or `{ ok: false, error }`: thrown errors never cross IPC intact. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

/** Builds a success envelope. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Builds a failure envelope. */
export function fail<T = never>(error: ErrorPayload): Result<T> {
  return { ok: false, error };
}
