/** Small form pieces shared by the provisioning forms (labelled inputs, outcome line). */
import { useId } from 'react';
import type { OutputOf } from '../../../../main/api/index.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import type { Action } from './useAction.js';

type TokenInfo = OutputOf<'token:list'>['modules'][number]['tokens'][number];

/** The token a form works on: its module and the token as token:list reports it. */
export interface TokenTarget {
  module: string;
  token: TokenInfo;
}

/** Props shared by every provisioning form. */
export interface FormProps {
  target: TokenTarget;
  /** Called after a change on the token, so lists reload; `label` when the token's label changed. */
  onChanged(label?: string): void;
  /** Changes after every change on a token (key lists reload). */
  version?: number;
}

/** The token reference sent to the core (label; '' selects SoftHSM2's blank token). */
export const refOf = (t: TokenTarget) => ({ module: t.module, label: t.token.label });

/** Props of Input. */
export interface InputProps {
  label: string;
  value: string;
  onChange(v: string): void;
  testId: string;
  /** Secret fields are password inputs and never autocompleted. */
  secret?: boolean;
  required?: boolean;
  placeholder?: string;
}

/** A labelled text or password input. */
export function Input({ label, value, onChange, testId, secret = false, required = false, placeholder }: InputProps) {
  const id = useId();
  return (
    <label className="field" htmlFor={id}>
      {label}
      <input id={id} type={secret ? 'password' : 'text'} autoComplete="off" value={value} required={required}
        placeholder={placeholder} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
    </label>
  );
}

/** The outcome of a form's last action: error banner or a success status line. */
export function Outcome({ action, testId }: { action: Action; testId: string }) {
  return (
    <>
      <ErrorBanner error={action.error} />
      {action.done && <p className="ok" role="status" data-testid={testId}>{action.done}</p>}
    </>
  );
}
