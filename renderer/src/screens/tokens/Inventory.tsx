/**
 * Inventory of certificates on every token seen (plugged in or not): expiry, days left,
 * 30-day warnings, and export to CSV or JSON through the core (provision:exportInventory).
 */
import { useState } from 'react';
import { useEvent, useLoad } from '../../hooks.js';
import { useApi } from '../../api/context.js';
import { ErrorBanner } from '../../components/ErrorBanner.js';
import { formatDate, formatDateTime, useI18n } from '../../i18n.js';
import { Input, Outcome } from './fields.js';
import { useAction } from './useAction.js';

/** The inventory table; `version` changes when a provisioning action changed a token. */
export function Inventory({ version }: { version: number }) {
  const api = useApi();
  const { t, lang } = useI18n();
  // The list first (fast), then again with each certificate's revocation (OCSP/CRL, network).
  const inv = useLoad((a) => a['provision:inventory']({}), [version]);
  const checked = useLoad((a) => a['provision:inventory']({ checkRevocation: true }), [version]);
  useEvent('token:changed', () => inv.reload());
  const action = useAction();
  const [path, setPath] = useState('');
  const rows = checked.data?.certificates ?? inv.data?.certificates ?? [];

  const exportAs = (format: 'csv' | 'json') =>
    action.run(() => api['provision:exportInventory']({ format, path: path.trim() }), (v) => t('provision.ui.inv.exported', { count: v.count, path: v.path }));

  return (
    <section className="card" aria-labelledby="prov-inv-title" data-testid="prov-inventory">
      <h2 id="prov-inv-title">{t('provision.ui.inv.title')}</h2>
      <ErrorBanner error={inv.error} />
      {inv.data && rows.length === 0 && <p className="muted">{t('provision.ui.inv.empty')}</p>}
      {rows.length > 0 && (
        <table className="list">
          <thead>
            <tr>
              <th>{t('provision.ui.inv.token')}</th><th>CKA_ID</th><th>{t('provision.ui.inv.subject')}</th><th>{t('ui.cert.issuer')}</th>
              <th>{t('provision.ui.inv.notAfter')}</th><th>{t('provision.ui.inv.daysLeft')}</th><th>{t('provision.ui.inv.state')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.serial}|${r.keyId}|${r.certSerial}`} data-testid="prov-inv-row" className={r.present ? undefined : 'muted'}>
                <td>{r.token}<div className="muted">{t('ui.token.serial')} {r.serial}</div></td>
                <td><code>{r.keyId}</code></td>
                <td>{r.subject}</td>
                <td>{r.issuer}</td>
                <td data-testid="prov-inv-notafter">{formatDate(r.notAfter, lang)}</td>
                <td className={r.expiresSoon ? 'warn' : undefined} data-testid="prov-inv-days">{r.daysLeft}</td>
                <td>
                  {r.present ? t('provision.ui.inv.present') : t('provision.ui.inv.absent', { date: formatDateTime(r.lastSeen, lang) })}
                  {r.daysLeft < 0 && <div className="bad" role="status">{t('provision.ui.inv.expired')}</div>}
                  {r.revocation?.status === 'revoked' && <div className="bad" role="status" data-testid="prov-inv-revoked">{t('provision.ui.inv.revoked', { date: r.revocation.revokedAt ? formatDate(r.revocation.revokedAt, lang) : '?' })}</div>}
                  {r.revocation?.status === 'good' && <div className="ok" data-testid="prov-inv-good" title={r.revocation.source}>{t('provision.ui.inv.notRevoked')}</div>}
                  {r.present && r.revocation?.status === 'unknown' && <div className="muted" title={r.revocation.source}>{t('provision.ui.inv.revocationUnknown')}</div>}
                  {r.present && !r.revocation && !checked.data && <div className="muted">{t('provision.ui.inv.revocationChecking')}</div>}
                  {r.daysLeft >= 0 && r.expiresSoon && <div className="warn" role="status">{t('provision.ui.inv.expiresSoon')}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="row">
        <Input label={t('provision.ui.inv.exportPath')} value={path} onChange={setPath} testId="prov-inv-path" />
        <button type="button" disabled={action.busy || !path.trim()} onClick={() => void exportAs('csv')} data-testid="prov-inv-csv">{t('provision.ui.inv.export', { format: 'CSV' })}</button>
        <button type="button" disabled={action.busy || !path.trim()} onClick={() => void exportAs('json')} data-testid="prov-inv-json">{t('provision.ui.inv.export', { format: 'JSON' })}</button>
      </div>
      <Outcome action={action} testId="prov-inv-done" />
    </section>
  );
}
