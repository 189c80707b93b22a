/** Types the use-case layer shares: handlers, their context and the event sink. */
import type { z } from 'zod';
import type { contract, EventId, EventPayload, OperationId, OutputOf, ShellOperationId } from '../api/index.js';
import type { Lang } from '../../resources/locales/index.js';

/** Sends a main -> renderer event to every connected client. */
export type EmitFn = <E extends EventId>(event: E, payload: EventPayload<E>) => void;

/** What a handler may use besides its input: the caller's language and the event sink. */
export interface ServiceContext {
  lang: Lang;
  emit: EmitFn;
}

/** A contract adapter bound to one id; its input is already parsed by zod. */
export type Handler<K extends OperationId> = (
  input: z.output<(typeof contract)[K]['input']>,
  ctx: ServiceContext,
) => Promise<OutputOf<K>>;

/** Handlers for exactly the ids `K` (what one domain supplies). */
export type HandlersFor<K extends OperationId> = { [P in K]: Handler<P> };

/** A handler for every contract id: the compiler proves that none is missing. */
export type Handlers = HandlersFor<OperationId>;

/** The handlers a transport passes into createCore (native dialogs, the OS opener). */
export type ShellHandlers = HandlersFor<ShellOperationId>;
