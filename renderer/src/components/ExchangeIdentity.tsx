/**
 * The token certificate the app uses to authenticate to the inbox server (setting
 * `exchange.signer` = { module, label, cert: fingerprint }).
 */
import { useState } from 'react';
import type { ErrorPayload } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { ErrorBanner } from './ErrorBanner.js';
import { TokenPicker, type TokenChoice, type TokenSelection } from './TokenPicker.js';

/** Picker + save button for the exchange identity. */
export function ExchangeIdentity() {
  const api = useApi();
  const { t } = useI18n();
  const current = useLoad((a) => a['settings:get']({ prefix: 'exchange.signer' }), []);
  const [sel, setSel] = useState<{ s: TokenSelection; c: TokenChoice } | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [saved, setSaved] = useState(false);
  const stored = current.data?.values['exchange.signer'] as { label?: string } | undefined;
  const save = async () => {
    if (!sel) return;
    const r = await api['settings:set']({ key: 'exchange.signer', value: { module: sel.c.module, label: sel.c.token.label, cert: sel.s.fingerprint } });
    setError(r.ok ? null : r.error);
    setSaved(r.ok);
    current.reload();
  };
  return (
    <fieldset className="card" data-testid="exchange-identity">
      <legend>{t('ui.settings.identity')}</legend>
      <p className="muted">{stored?.label ? t('ui.settings.identityCurrent', { label: stored.label }) : t('ui.settings.identityNone')}</p>
      <TokenPicker value={sel?.s ?? null} onChange={(s, c) => { setSel(s && c ? { s, c } : null); setSaved(false); }} />
      <button type="button" disabled={!sel} onClick={() => void save()} data-testid="save-identity">{t('ui.save')}</button>
      {saved && <span className="ok" role="status"> {t('ui.saved')}</span>}
      <ErrorBanner error={error} />
    </fieldset>
  );
}
