/**
 * The one place where a contract call becomes a use-case call, shared by the Electron IPC
 * binding and the browser host: parse input with zod, run the handler, turn any error into
 * a localized `{ ok: false, error }` envelope.
 */
import { ZodError } from 'zod';
import { contract, type OperationId, type Result, isKysoError } from '../api/index.js';
import { t } from '../../resources/locales/index.js';
import type { Handlers, ServiceContext } from './types.js';

/** True when `id` names an operation of the contract. */
export function isOperationId(id: unknown): id is OperationId {
  return typeof id === 'string' && Object.prototype.hasOwnProperty.call(contract, id);
}

/** Runs one contract call and always resolves to a result envelope. */
export async function dispatch(
  handlers: Readonly<Partial<Handlers>>,
  id: string,
  rawInput: unknown,
  ctx: ServiceContext,
): Promise<Result<unknown>> {
  if (!isOperationId(id)) {
    return { ok: false, error: { code: 'unknownCommand', message: t(ctx.lang, 'error.unknownCommand', { command: String(id) }) } };
  }
  // The core's map is total (createCore's type proves it); a partial one is a test of one domain.
  const handler = handlers[id] as ((input: unknown, c: ServiceContext) => Promise<unknown>) | undefined;
  if (!handler) {
    return { ok: false, error: { code: 'notImplemented', message: t(ctx.lang, 'error.notImplemented', { feature: id }) } };
  }
  try {
    const input = contract[id].input.parse(rawInput ?? {});
    const value = await handler(input, ctx);
    return { ok: true, value: contract[id].output.parse(value) };
  } catch (e) {
    return { ok: false, error: toErrorPayload(e, ctx) };
  }
}

/** Maps any thrown value to a localized error payload (never leaks stack traces or secrets). */
export function toErrorPayload(e: unknown, ctx: Pick<ServiceContext, 'lang'>) {
  if (isKysoError(e)) {
    return { code: e.code, message: t(ctx.lang, `error.${e.code}`, e.params), params: e.params };
  }
  if (e instanceof ZodError) {
    const detail = e.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    return { code: 'invalidInput', message: t(ctx.lang, 'error.invalidInput', { detail }) };
  }
  const detail = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: t(ctx.lang, 'error.internal', { detail }) };
}
