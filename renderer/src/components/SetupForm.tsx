/**
 * The first-run setup as one form (Settings, and the first thing Home points to): inbox
 * server, connecting certificate, TSA, signature and seal images with previews, the seal's
 * real size and the signer block's title; saved together, then checked (server reachable,
 * certificate usable, TSA answering, images readable) with a clear result per part.
 */
import { useEffect, useId, useState } from 'react';
import type { ErrorPayload, OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { forgetImage, useImageUrl } from '../api/images.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { useKeptState } from '../state.js';
import { ErrorBanner } from './ErrorBanner.js';
import { PathField } from './PathField.js';
import { TokenPicker, type TokenChoice, type TokenSelection } from './TokenPicker.js';

type Results = OutputOf<'settings:check'>['results'];

/** The setup values as the form edits them. */
interface Draft {
  server: string;
  tsaUrl: string;
  signatureImage: string;
  sealImage: string;
  sealSizeMm: string;
  anchorText: string;
  orgAbbreviation: string;
}

const keys: Record<keyof Draft, string> = {
  server: 'exchange.server',
  tsaUrl: 'sign.tsaUrl',
  signatureImage: 'sign.signatureImage',
  sealImage: 'sign.sealImage',
  sealSizeMm: 'sign.sealSizeMm',
  anchorText: 'sign.anchorText',
  orgAbbreviation: 'exchange.orgAbbreviation',
};

function ImagePreview({ path, testId }: { path: string; testId: string }) {
  const url = useImageUrl(path.trim() || undefined);
  return url ? <img className="setup-image" src={url} alt="" data-testid={testId} /> : null;
}

/** The setup form. */
export function SetupForm({ onSaved }: { onSaved?(): void }) {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const loaded = useLoad((a) => a['settings:get']({}), []);
  const [draft, setDraft] = useKeptState<Draft | null>('settings.setup', null);
  const [identity, setIdentity] = useState<{ s: TokenSelection; c: TokenChoice } | null>(null);
  const [results, setResults] = useState<Results | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  const stored = loaded.data?.values['exchange.signer'] as { module?: string; label?: string; cert?: string } | undefined;

  useEffect(() => {
    if (!loaded.data || draft) return;
    const v = loaded.data.values;
    const s = (k: string) => (v[k] == null ? '' : String(v[k]));
    setDraft(Object.fromEntries(Object.entries(keys).map(([f, k]) => [f, s(k)])) as unknown as Draft);
  }, [loaded.data]);

  if (!draft) return <ErrorBanner error={loaded.error} />;
  const set = (k: keyof Draft, v: string) => {
    setDraft({ ...draft, [k]: v });
    setResults(null);
  };
  const save = async () => {
    setBusy(true);
    setError(null);
    setResults(null);
    for (const [f, k] of Object.entries(keys)) {
      const raw = draft[f as keyof Draft].trim();
      const value = f === 'sealSizeMm' ? (raw ? Number(raw) : null) : raw || null;
      const r = await api['settings:set']({ key: k, value });
      if (!r.ok) {
        setBusy(false);
        return setError(r.error);
      }
    }
    if (identity) {
      const r = await api['settings:set']({ key: 'exchange.signer', value: { module: identity.c.module, label: identity.c.token.label, cert: identity.s.fingerprint } });
      if (!r.ok) {
        setBusy(false);
        return setError(r.error);
      }
    }
    forgetImage(draft.signatureImage.trim());
    forgetImage(draft.sealImage.trim());
    const c = await api['settings:check']({});
    setBusy(false);
    loaded.reload();
    if (c.ok) setResults(c.value.results);
    else setError(c.error);
    onSaved?.();
  };
  const text = (k: keyof Draft, label: string, type = 'text', placeholder?: string) => (
    <label className="field" htmlFor={`${id}-${k}`}>
      {t(label)}
      <input id={`${id}-${k}`} type={type} size={60} value={draft[k]} placeholder={placeholder} onChange={(e) => set(k, e.target.value)} data-testid={`setting-${keys[k]}`} />
    </label>
  );
  const allOk = results?.every((r) => r.state === 'ok');
  return (
    <form className="card" data-testid="setup" onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <h2>{t('ui.setup.title')}</h2>
      <p className="muted">{t('ui.setup.intro')}</p>
      {text('server', 'ui.settings.server', 'url', 'https://truc.tinh.gov.vn')}
      <fieldset data-testid="exchange-identity">
        <legend>{t('ui.settings.identity')}</legend>
        <p className="muted">{stored?.label ? t('ui.settings.identityCurrent', { label: stored.label }) : t('ui.settings.identityNone')}</p>
        <TokenPicker value={identity?.s ?? null} role="issuing" onChange={(s, c) => { setIdentity(s && c ? { s, c } : null); setResults(null); }} />
      </fieldset>
      {text('tsaUrl', 'ui.settings.tsa', 'url', 'http://tsa.ca.gov.vn')}
      <div className="row">
        <div>
          <PathField label={t('ui.settings.signatureImage')} paths={draft.signatureImage ? [draft.signatureImage] : []} onChange={(p) => set('signatureImage', p[0] ?? '')} accept="png" testId="setting-sign.signatureImage" />
          <ImagePreview path={draft.signatureImage} testId="setup-signature-preview" />
        </div>
        <div>
          <PathField label={t('ui.settings.sealImage')} paths={draft.sealImage ? [draft.sealImage] : []} onChange={(p) => set('sealImage', p[0] ?? '')} accept="png" testId="setting-sign.sealImage" />
          <ImagePreview path={draft.sealImage} testId="setup-seal-preview" />
        </div>
      </div>
      <div className="row">
        {text('sealSizeMm', 'ui.setup.sealSizeMm', 'number', '36')}
        {text('anchorText', 'ui.setup.anchorText', 'text', 'PHÓ CHỦ TỊCH')}
        {text('orgAbbreviation', 'ui.setup.orgAbbreviation', 'text', 'UBND')}
      </div>
      <button type="submit" className="primary" disabled={busy} data-testid="setup-save">{busy ? t('ui.setup.checking') : t('ui.setup.saveCheck')}</button>
      <ErrorBanner error={error} />
      {results && (
        <div className={`verdict ${allOk ? 'ok' : 'warn'}`} role="status" data-testid="setup-results">
          <strong>{allOk ? t('ui.setup.allOk') : t('ui.setup.someFailed')}</strong>
          <ul>
            {results.map((r) => (
              <li key={r.part} className={r.state === 'ok' ? 'ok' : r.state === 'failed' ? 'bad' : 'muted'} data-testid={`setup-result-${r.part}`} data-state={r.state} title={r.code}>
                {r.state === 'ok' ? '✓' : r.state === 'failed' ? '✗' : '–'} <strong>{t(`ui.setup.part.${r.part}`)}</strong>: {r.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}
