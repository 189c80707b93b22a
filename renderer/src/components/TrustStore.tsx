/** The admin trust store in Settings: list anchors, add from a certificate file, remove. */
import { useState } from 'react';
import type { ErrorPayload } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useLoad } from '../hooks.js';
import { formatDate, useI18n } from '../i18n.js';
import { ErrorBanner } from './ErrorBanner.js';
import { PathField } from './PathField.js';

/** Trust anchors with add/remove. */
export function TrustStore() {
  const api = useApi();
  const { t, lang } = useI18n();
  const list = useLoad((a) => a['trust:list']({}), []);
  const [file, setFile] = useState<string[]>([]);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const act = async (p: Promise<{ ok: boolean; error?: ErrorPayload }>) => {
    const r = await p;
    setError(r.ok ? null : r.error ?? null);
    list.reload();
  };
  return (
    <fieldset className="card" data-testid="trust-store">
      <legend>{t('ui.trust.title')}</legend>
      <ErrorBanner error={error ?? list.error} />
      <table className="list">
        <thead><tr><th>{t('ui.cert.subject')}</th><th>{t('ui.cert.validity')}</th><th /></tr></thead>
        <tbody>
          {list.data?.anchors.map((a) => (
            <tr key={a.fingerprint}>
              <td>{a.subject}<div className="muted"><code>{a.fingerprint.slice(0, 32)}…</code></div></td>
              <td>{formatDate(a.notBefore, lang)} → {formatDate(a.notAfter, lang)}</td>
              <td><button type="button" onClick={() => void act(api['trust:remove']({ fingerprint: a.fingerprint }))}>{t('ui.trust.remove')}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <PathField label={t('ui.trust.addFile')} paths={file} onChange={setFile} pdfOnly={false} />
      <button type="button" disabled={!file[0]} onClick={() => void act(api['trust:add']({ path: file[0]! })).then(() => setFile([]))}>{t('ui.trust.add')}</button>
    </fieldset>
  );
}
