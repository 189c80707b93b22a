/**
 * The IPC contract: the one source of truth shared by main, preload and renderer. Pure TS
 * (zod only); the only part of main/ that preload/ and renderer/ may import.
 */
import type { z } from 'zod';
import { appEvents, appOperations, shellOperations } from './contract/app.js';
import { tokenEvents, tokenOperations } from './contract/token.js';
import { signEvents, signOperations } from './contract/sign.js';
import { verifyEvents, verifyOperations } from './contract/verify.js';
import { exchangeEvents, exchangeOperations } from './contract/exchange.js';
import { provisionEvents, provisionOperations } from './contract/provision.js';
import { serviceEvents, serviceOperations } from './contract/service.js';
import type { Result } from './result.js';

export * from './result.js';
export * from './errors.js';
export * from './error-kinds.js';
export * from './contract/verdicts.js';

/** Every operation: `'domain:verb'` -> `{ input, output }` zod schemas. */
export const contract = {
  ...appOperations,
  ...shellOperations,
  ...tokenOperations,
  ...signOperations,
  ...verifyOperations,
  ...exchangeOperations,
  ...provisionOperations,
  ...serviceOperations,
};

/** Every main -> renderer event: `'domain:event'` -> payload schema. */
export const events = {
  ...appEvents,
  ...tokenEvents,
  ...signEvents,
  ...verifyEvents,
  ...exchangeEvents,
  ...provisionEvents,
  ...serviceEvents,
};

/** Operation ids. */
export type OperationId = keyof typeof contract;
/** Event ids. */
export type EventId = keyof typeof events;
/** Parsed input of an operation. */
export type InputOf<K extends OperationId> = z.input<(typeof contract)[K]['input']>;
/** Output of an operation. */
export type OutputOf<K extends OperationId> = z.output<(typeof contract)[K]['output']>;
/** Payload of an event. */
export type EventPayload<E extends EventId> = z.output<(typeof events)[E]>;

/** Operations a transport answers itself (dialogs, the OS opener); the core answers the rest. */
export type ShellOperationId = keyof typeof shellOperations;
/** The shell operation ids. */
export const shellOperationIds = Object.keys(shellOperations) as ShellOperationId[];

/** List of operation ids, for the preload and the transports. */
export const operationIds = Object.keys(contract) as OperationId[];
/** List of event ids. */
export const eventIds = Object.keys(events) as EventId[];

/** What the renderer depends on: one async function per operation, plus event subscription. */
export type AppApi = {
  [K in OperationId]: (input: InputOf<K>) => Promise<Result<OutputOf<K>>>;
} & {
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventId>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** Name of the Electron IPC channel for an operation id (one channel per id, no generic invoke). */
export function ipcChannel(id: OperationId): string {
  return `kyso:${id}`;
}

/** Name of the Electron IPC channel for an event id. */
export function eventChannel(id: EventId): string {
  return `kyso-event:${id}`;
}
