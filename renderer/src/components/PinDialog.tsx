/**
 * Asks for a token's PIN, showing the token's warning states (few tries left, last try,
 * locked, PIN pad). The PIN goes straight to token:login and is cleared from state at once.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { flagsAfterError } from '../pinFeedback.js';
import type { ErrorPayload, OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useI18n } from '../i18n.js';
import { ErrorBanner } from './ErrorBanner.js';

type TokenInfo = OutputOf<'token:list'>['modules'][number]['tokens'][number];

/** Props of PinDialog. */
export interface PinDialogProps {
  module: string;
  token: TokenInfo;
  onDone(loggedIn: boolean): void;
}

/** Warning keys for the token's PIN flags, most severe first. */
export function pinWarnings(flags: TokenInfo['flags']): string[] {
  const w: string[] = [];
  if (flags.userPinLocked) w.push('ui.pin.locked');
  else if (flags.userPinFinalTry) w.push('ui.pin.finalTry');
  else if (flags.userPinCountLow) w.push('ui.pin.countLow');
  if (flags.userPinToBeChanged) w.push('ui.pin.toBeChanged');
  if (flags.protectedAuthPath) w.push('ui.pin.pinPad');
  return w;
}

/** A modal PIN dialog. */
export function PinDialog({ module, token, onDone }: PinDialogProps) {
  const api = useApi();
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  // The token's warning state as reported with the last failed attempt.
  const [flags, setFlags] = useState(token.flags);
  const input = useRef<HTMLInputElement>(null);
  const locked = flags.userPinLocked;
  const pinPad = flags.protectedAuthPath;

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const submit = async () => {
    setBusy(true);
    const value = pin;
    setPin('');
    const r = await api['token:login']({ token: { module, label: token.label }, pin: pinPad ? null : value });
    setBusy(false);
    if (r.ok && r.value.loggedIn) onDone(true);
    else if (!r.ok) {
      setError(r.error);
      setFlags((f) => flagsAfterError(f, r.error.code));
    }
  };
  // After a failed attempt the cursor is back in the field for the next try.
  useEffect(() => {
    if (error && !busy) input.current?.focus();
  }, [error, busy]);

  return (
    <dialog ref={ref} aria-labelledby={`${id}-title`} onCancel={() => onDone(false)} data-testid="pin-dialog">
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <h2 id={`${id}-title`}>{t('ui.pin.title', { token: token.label })}</h2>
        {pinWarnings(flags).map((k) => (
          <p key={k} className={k === 'ui.pin.pinPad' ? 'muted' : 'warn'} role={k === 'ui.pin.pinPad' ? undefined : 'alert'} data-testid={`pin-warning-${k.split('.').pop()}`}>{t(k)}</p>
        ))}
        <ErrorBanner error={error} />
        {!pinPad && (
          <label className="field" htmlFor={`${id}-pin`}>
            {t('ui.pin.label')}
            <input id={`${id}-pin`} ref={input} type="password" autoComplete="off" autoFocus value={pin} disabled={locked || busy}
              minLength={token.minPinLen || undefined} maxLength={token.maxPinLen || undefined}
              onChange={(e) => setPin(e.target.value)} data-testid="pin-input" />
          </label>
        )}
        <div className="row">
          <button type="submit" className="primary" disabled={locked || busy || (!pinPad && !pin)} data-testid="pin-ok">{pinPad ? t('ui.pin.usePad') : t('ui.pin.ok')}</button>
          <button type="button" onClick={() => onDone(false)}>{t('ui.cancel')}</button>
        </div>
      </form>
    </dialog>
  );
}
