/**
 * token:list shared by every component that asks at the same moment (home, pickers, the
 * Tokens screen): one call in flight per API, since listing starts a bridge process per
 * PKCS#11 module and concurrent cold starts are wasteful (and raced in the bridge).
 */
import type { AppApi, OutputOf, Result } from '../../../main/api/index.js';

type ListResult = Result<OutputOf<'token:list'>>;
const inFlight = new WeakMap<AppApi, Promise<ListResult>>();

/** Lists tokens, joining a call already in flight. */
export function listTokens(api: AppApi): Promise<ListResult> {
  let p = inFlight.get(api);
  if (!p) {
    p = api['token:list']({}).finally(() => inFlight.delete(api));
    inFlight.set(api, p);
  }
  return p;
}
