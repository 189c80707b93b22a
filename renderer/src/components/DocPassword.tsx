/**
 * The password of an encrypted PDF: asked when the engine answers pdfPasswordRequired,
 * pdfPasswordWrong or signNotPermitted (files that only restrict editing open without it).
 * The value stays in this component until submitted; it is never stored or logged.
 */
import { useId, useState } from 'react';
import { useI18n } from '../i18n.js';

const ASKS = new Set(['pdfPasswordRequired', 'pdfPasswordWrong', 'signNotPermitted']);

/** True when an error code means "give the document's password". */
export function needsPassword(code: string | undefined): boolean {
  return code !== undefined && ASKS.has(code);
}

/** A password field with its button; `onSubmit` gets the password typed. */
export function DocPassword({ onSubmit, testId = 'doc-password' }: { onSubmit(password: string): void; testId?: string }) {
  const { t } = useI18n();
  const id = useId();
  const [value, setValue] = useState('');
  return (
    <form className="row" onSubmit={(e) => { e.preventDefault(); onSubmit(value); }} data-testid={testId}>
      <label className="field" htmlFor={`${id}-pw`}>
        {t('ui.docPassword.label')}
        <input id={`${id}-pw`} type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} data-testid={`${testId}-input`} />
      </label>
      <button type="submit" disabled={!value} data-testid={`${testId}-submit`}>{t('ui.docPassword.open')}</button>
    </form>
  );
}
