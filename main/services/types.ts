/** Types the use-case layer shares: handlers, their context and the event sink. */
import type { z } from 'zod';
import type { contract, EventId, EventPayload, OperationId, OutputOf } from '../api/index.js';
import type { Lang } from '../../resources/locales/index.js';

/** Sends a main -> renderer event to every connected client. */
export type EmitFn = <E extends EventId>(event: E, payload: EventPayload<E>) => void;

/** What a handler may use besides its input: the caller's language and the event sink. */
export interface ServiceContext {
  lang: Lang;
  emit: EmitFn;
}

/** A use case bound to one contract id; its input is already parsed by zod. */
export type Handler<K extends OperationId> = (
  input: z.output<(typeof contract)[K]['input']>,
  ctx: ServiceContext,
) => Promise<OutputOf<K>>;

/** Handlers for some contract ids (each domain supplies its own part). */
export type HandlerMap = { [K in OperationId]?: Handler<K> };
