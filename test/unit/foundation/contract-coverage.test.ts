/**
 * The core is total and closed: every contract id has a handler, proved by the compiler (the
 * type-level cases below fail `npm run typecheck` if a map may miss an id) and at run time (a
 * real core dispatches every id to its handler), and the map cannot be changed after
 * createCore (transports pass their shell handlers in).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationIds, shellOperationIds, type OperationId } from '../../../main/api/index.js';
import type { appOperations } from '../../../main/api/contract/app.js';
import type { exchangeOperations } from '../../../main/api/contract/exchange.js';
import type { provisionOperations } from '../../../main/api/contract/provision.js';
import type { signOperations } from '../../../main/api/contract/sign.js';
import type { tokenOperations } from '../../../main/api/contract/token.js';
import type { verifyOperations } from '../../../main/api/contract/verify.js';
import { browserShellHandlers } from '../../../main/host/shell-fallback.js';
import type { createAppHandlers } from '../../../main/services/app-handlers.js';
import { createCore, type Core, type CoreOptions } from '../../../main/services/core.js';
import type { ExchangeService } from '../../../main/services/exchange-handlers.js';
import type { createFileHandlers } from '../../../main/services/file-handlers.js';
import type { createProvisionHandlers } from '../../../main/services/provision-handlers.js';
import type { SignService } from '../../../main/services/sign-handlers.js';
import type { TokenService } from '../../../main/services/token-handlers.js';
import type { createVerifyHandlers } from '../../../main/services/verify-handlers.js';
import type { Handler, Handlers, ShellHandlers } from '../../../main/services/types.js';

// ---- Type level (checked by `npm run typecheck`; an unused @ts-expect-error is an error) ----

/** True only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_proof?: T) => undefined;

/** Never called: its body only has to type-check (or fail to, where marked). */
export function typeLevelCases(full: Handlers, oneHandler: Handler<'dialog:openFiles'>): unknown[] {
  const { 'verify:file': _dropped, ...missingOne } = full;
  // @ts-expect-error a map without 'verify:file' is not a handler map of the core
  const notTotal: Handlers = missingOne;
  // @ts-expect-error a transport must answer every shell operation, not only some
  const partialShell: ShellHandlers = { 'dialog:openFiles': oneHandler };
  // @ts-expect-error createCore cannot be called without the transport's shell handlers
  const noShell: CoreOptions = { host: 'browser', home: '/tmp/x', lang: 'vi' };
  // The full map with the shell handlers is accepted.
  const total: Handlers = { ...missingOne, 'verify:file': full['verify:file'] };
  return [notTotal, partialShell, noShell, total];
}

// Each domain supplies exactly its part of the contract; together with the shell they are all.
type Ids<M> = keyof M & OperationId;
assertType<Equal<keyof ReturnType<typeof createAppHandlers> | keyof ReturnType<typeof createFileHandlers>['handlers'], Exclude<Ids<typeof appOperations>, never>>>();
assertType<Equal<keyof TokenService['handlers'], Ids<typeof tokenOperations>>>();
assertType<Equal<keyof SignService['handlers'], Ids<typeof signOperations>>>();
assertType<Equal<keyof ReturnType<typeof createVerifyHandlers>, Ids<typeof verifyOperations>>>();
assertType<Equal<keyof ExchangeService['handlers'], Ids<typeof exchangeOperations>>>();
assertType<Equal<keyof ReturnType<typeof createProvisionHandlers>, Ids<typeof provisionOperations>>>();
assertType<Equal<keyof ShellHandlers, (typeof shellOperationIds)[number]>>();

// ---- Run time ----

let dir: string;
let core: Core;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-coverage-'));
  core = await createCore({ host: 'browser', home: path.join(dir, 'home'), lang: 'en', shell: browserShellHandlers() });
});
afterAll(async () => {
  await core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the core handles the whole contract', () => {
  it('has one handler function per contract id and nothing else', () => {
    expect(Object.keys(core.handlers).sort()).toEqual([...operationIds].sort());
    for (const id of operationIds) expect(typeof core.handlers[id], id).toBe('function');
  });

  it('dispatches every contract id to its handler (input reaches zod, never notImplemented)', async () => {
    // An unknown field is refused by each strict input schema: the call went through the
    // dispatcher's lookup to the operation's own validation, with no side effect.
    const outcomes = await Promise.all(operationIds.map(async (id) => [id, await core.call(id, { __probe: true })] as const));
    const notValidated = outcomes.filter(([, r]) => r.ok || r.error.code !== 'invalidInput').map(([id, r]) => `${id}: ${JSON.stringify(r)}`);
    expect(notValidated).toEqual([]);
    const r = await core.call('nope:nothing', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'unknownCommand' } });
  });

  it('answers the shell operations with the handlers the transport passed in', async () => {
    expect(await core.call('dialog:openFiles', {})).toEqual({ ok: true, value: { paths: [], native: false } });
    expect(await core.call('dialog:saveFile', {})).toEqual({ ok: true, value: { path: null, native: false } });
  });

  it('cannot be patched after createCore (the handler map is frozen)', () => {
    expect(Object.isFrozen(core.handlers)).toBe(true);
    expect(() => Object.assign(core.handlers, { 'dialog:openFiles': async () => ({ paths: ['/etc/passwd'], native: true }) })).toThrow(TypeError);
  });
});
