/** Helpers to declare contract entries: `'domain:verb'` -> zod input and output schemas. */
import type { z } from 'zod';

/** One request/response operation of the contract. */
export interface OperationSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
}

/** A set of operations keyed by `'domain:verb'`. */
export type OperationMap = Record<`${string}:${string}`, OperationSpec>;

/** A set of main -> renderer events keyed by `'domain:event'`, each with its payload schema. */
export type EventMap = Record<`${string}:${string}`, z.ZodType>;

/** Declares operations while keeping their literal types. */
export function operations<const M extends OperationMap>(m: M): M {
  return m;
}

/** Declares events while keeping their literal types. */
export function eventsOf<const M extends EventMap>(m: M): M {
  return m;
}
