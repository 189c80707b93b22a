/**
 * Exchange actions (send, accept, reject, report, sync) sign with the connecting certificate's
 * token (the `exchange.signer` setting). A signing job logs that token out when it ends (issue
 * 15.10), so such an action can fail with tokenNotLoggedIn: then the PIN dialog for that token
 * opens and, once logged in, the action runs once more instead of showing the error.
 */
import { useState } from 'react';
import type { OutputOf, Result } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { listTokens } from '../api/token-list.js';
import { PinDialog } from './PinDialog.js';

type TokenInfo = OutputOf<'token:list'>['modules'][number]['tokens'][number];
type SignerSetting = { module?: string; label?: string; serial?: string };

/** The token named by a saved `exchange.signer` setting in a token list, if present. */
export function exchangeToken(list: OutputOf<'token:list'>, sel: SignerSetting | undefined): TokenInfo | null {
  if (!sel?.module) return null;
  const tokens = list.modules.find((m) => m.path === sel.module)?.tokens ?? [];
  return tokens.find((t) => (sel.label === undefined || t.label === sel.label) && (sel.serial === undefined || t.serial === sel.serial)) ?? null;
}

/** `run(call)` retries a call refused with tokenNotLoggedIn after the PIN; `pinDialog` must be rendered. */
export function useExchangeLogin() {
  const api = useApi();
  const [ask, setAsk] = useState<{ module: string; token: TokenInfo; done(ok: boolean): void } | null>(null);

  /** Resolves true once the connecting certificate's token is logged in (false: cancelled or not found). */
  const askPin = async (): Promise<boolean> => {
    const s = await api['settings:get']({ prefix: 'exchange.signer' });
    const sel = s.ok ? (s.value.values['exchange.signer'] as SignerSetting | undefined) : undefined;
    const list = await listTokens(api);
    const token = list.ok ? exchangeToken(list.value, sel) : null;
    if (!sel?.module || !token || !token.flags.loginRequired) return false;
    const module = sel.module;
    return new Promise((resolve) => setAsk({ module, token, done: resolve }));
  };

  const run = async <T,>(call: () => Promise<Result<T>>): Promise<Result<T>> => {
    const r = await call();
    if (r.ok || r.error.code !== 'tokenNotLoggedIn') return r;
    return (await askPin()) ? call() : r;
  };

  const pinDialog = ask ? (
    <PinDialog module={ask.module} token={ask.token} onDone={(ok) => {
      ask.done(ok);
      setAsk(null);
    }} />
  ) : null;
  return { run, pinDialog };
}
