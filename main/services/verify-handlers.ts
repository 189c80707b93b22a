/** The verify domain's contract adapter over verify.ts: validate, export reports, manage the trust store. */
import type { verifyOperations } from '../api/contract/verify.js';
import { addTrustFiles, trustList, trustRemove, verifyFiles, writeVerifyReport } from './verify.js';
import type { HandlersFor } from './types.js';

const when = (time: string | undefined) => (time ? new Date(time) : undefined);

/** Handlers for `verify:*` and `trust:*`, bound to a Kyso home (its trust store). */
export function createVerifyHandlers(home: string): HandlersFor<keyof typeof verifyOperations> {
  return {
    'verify:file': async ({ path, offline, time, trust, password }) => (await verifyFiles(home, [path], { trust, offline, time: when(time), password }))[0]!,
    'verify:exportReport': async ({ paths, output, format, lang, offline, time, trust, password }, ctx) =>
      writeVerifyReport(await verifyFiles(home, paths, { trust, offline, time: when(time), password }), output, format, lang ?? ctx.lang),
    'trust:list': async () => ({ anchors: trustList(home) }),
    'trust:add': async ({ path }) => ({ added: addTrustFiles(home, [path]) }),
    'trust:remove': async ({ fingerprint }) => ({ removed: trustRemove(home, fingerprint) }),
  };
}
