/**
 * The shared sign flow of the Sign and Batch screens: choose token and certificate, ask the
 * PIN (token:login) unless a session is kept for exactly this certificate, then start
 * sign:files. The core logs the token out after each job (issue 15.10), so the next job
 * asks again; a refused job (tokenNotLoggedIn: the session ended meanwhile) asks once more.
 */
import { listTokens } from '../api/token-list.js';
import { useState } from 'react';
import { useKeptState } from '../state.js';
import type { ErrorPayload, InputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { PinDialog } from './PinDialog.js';
import { TokenPicker, type TokenChoice, type TokenSelection } from './TokenPicker.js';
import { sessionCovers, TokenSessionBadge, useTokenSession } from './TokenSessionBadge.js';

type SignInput = InputOf<'sign:files'>;

/**
 * State and UI pieces of the sign flow. `screen` keeps the choice while the user visits other
 * screens; `role` makes the picker choose the certificate that fits it.
 */
export function useSigner(screen: string, role?: string) {
  const api = useApi();
  const [selection, setSelection] = useKeptState<TokenSelection | null>(`${screen}.token`, null);
  const [choice, setChoice] = useKeptState<TokenChoice | null>(`${screen}.tokenChoice`, null);
  const [pinFor, setPinFor] = useState<((ok: boolean) => void) | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [jobId, setJobId] = useKeptState<string | null>(`${screen}.job`, null);
  const session = useTokenSession();
  /** True when the next job asks for the PIN (no session kept for this very certificate). */
  const pinNeeded = !choice || !selection || (choice.token.flags.loginRequired && !sessionCovers(session.state, choice.module, choice.token.label, selection.fingerprint));

  /** Resolves true once the job may start: the PIN is asked unless a session is kept for this certificate. */
  const ensureLogin = async (force = false): Promise<boolean> => {
    if (!choice) return false;
    if (!force && !pinNeeded) return true;
    // Fresh state: the token may have been removed or its PIN locked since the list was shown.
    const fresh = await listTokens(api);
    const tk = fresh.ok
      ? fresh.value.modules.find((m) => m.path === choice.module)?.tokens.find((x) => x.label === choice.token.label) ?? choice.token
      : choice.token;
    if (!tk.flags.loginRequired) return true;
    setChoice({ module: choice.module, token: tk });
    return new Promise((resolve) => setPinFor(() => resolve));
  };

  /** Starts a job over files with the chosen token; the rest of the input comes from the screen. */
  const start = async (input: Omit<SignInput, 'token' | 'cert'>): Promise<string | null> => {
    setError(null);
    // A new job replaces the previous one's progress view.
    setJobId(null);
    if (!choice || !selection) return null;
    if (!(await ensureLogin())) return null;
    const call = () => api['sign:files']({ ...input, token: { module: choice.module, label: choice.token.label }, cert: { fingerprint: selection.fingerprint } });
    let r = await call();
    // The session ended between the check and the job (expired, logged out elsewhere): ask once more.
    if (!r.ok && r.error.code === 'tokenNotLoggedIn' && (await ensureLogin(true))) r = await call();
    if (!r.ok) {
      setError(r.error);
      return null;
    }
    setJobId(r.value.jobId);
    return r.value.jobId;
  };

  const picker = (
    <>
      <TokenPicker value={selection} role={role} onChange={(s, c) => { setSelection(s); setChoice(c); }} />
      <TokenSessionBadge session={session} />
    </>
  );
  const pinDialog = pinFor && choice ? (
    <PinDialog module={choice.module} token={choice.token} onDone={(ok) => {
      pinFor(ok);
      setPinFor(null);
    }} />
  ) : null;
  const cert = choice?.token.certificates.find((c) => c.fingerprint === selection?.fingerprint) ?? null;
  return { picker, pinDialog, start, error, jobId, setJobId, cert, ready: Boolean(choice && selection), pinNeeded };
}
