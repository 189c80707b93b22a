/**
 * Settings of the local signing service: on or off (it starts with the app), where it
 * listens and how to trust its certificate, the web sites the user allowed or refused (each
 * can be revoked, and a site can be allowed ahead of time), and the hosts besides a page's
 * own that documents may come from.
 */
import { useEffect, useId, useState } from 'react';
import type { ErrorPayload, OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useEvent, useLoad } from '../hooks.js';
import { formatDateTime, useI18n } from '../i18n.js';
import { ErrorBanner } from './ErrorBanner.js';

type Status = OutputOf<'service:status'>;

/** The service's section of the Settings screen. */
export function ServiceSettings() {
  const api = useApi();
  const { t, lang } = useI18n();
  const id = useId();
  const loaded = useLoad((a) => a['service:status']({}), []);
  const origins = useLoad((a) => a['service:origins']({}), []);
  const hosts = useLoad((a) => a['settings:get']({ prefix: 'service.allowedHosts' }), []);
  const [status, setStatus] = useState<Status | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [newOrigin, setNewOrigin] = useState('');
  const [hostText, setHostText] = useState('');
  const [saved, setSaved] = useState(false);
  const [trust, setTrust] = useState<OutputOf<'service:trustCa'>['results'] | null>(null);
  useEffect(() => setStatus(loaded.data), [loaded.data]);
  useEffect(() => {
    const v = hosts.data?.values['service.allowedHosts'];
    setHostText(Array.isArray(v) ? v.join('\n') : '');
  }, [hosts.data]);
  useEvent('service:status', (s) => setStatus(s));
  // A site answered in a dialog shows up here at once.
  useEvent('service:promptClosed', () => origins.reload());

  const toggle = async (enabled: boolean) => {
    setBusy(true);
    // The switch follows the click at once; the state below comes when the service answers.
    setStatus((cur) => (cur ? { ...cur, enabled } : cur));
    const r = await api['service:setEnabled']({ enabled });
    setBusy(false);
    if (r.ok) {
      setStatus(r.value);
      setError(null);
    } else setError(r.error);
  };
  const setOrigin = async (origin: string, allowed: boolean | null) => {
    const r = await api['service:setOrigin']({ origin, allowed });
    if (r.ok) {
      setError(null);
      origins.reload();
      if (allowed !== null) setNewOrigin('');
    } else setError(r.error);
  };
  const trustCa = async () => {
    setBusy(true);
    const r = await api['service:trustCa']({});
    setBusy(false);
    if (r.ok) {
      setTrust(r.value.results);
      setError(null);
    } else setError(r.error);
  };
  const saveHosts = async () => {
    const value = hostText.split('\n').map((s) => s.trim()).filter(Boolean);
    const r = await api['settings:set']({ key: 'service.allowedHosts', value });
    setSaved(r.ok);
    setError(r.ok ? null : r.error);
  };

  const s = status;
  return (
    <fieldset className="card" data-testid="service-settings">
      <legend>{t('ui.service.settingsTitle')}</legend>
      <p className="muted">{t('ui.service.settingsIntro')}</p>
      <ErrorBanner error={error ?? loaded.error ?? origins.error} />
      <label className="field inline">
        <input type="checkbox" checked={s?.enabled ?? false} disabled={busy || !s} onChange={(e) => void toggle(e.target.checked)} data-testid="service-enabled" />
        {t('ui.service.enabled')}
      </label>
      {s?.running && (
        <p role="status" data-testid="service-running">
          {t('ui.service.running', { vgca: `wss://127.0.0.1:${s.vgca.port}` })}
          {s.vnpt.port ? ` ${t('ui.service.runningVnpt', { vnpt: `wss://localhost:${s.vnpt.port}/plugin` })}` : ''}
        </p>
      )}
      {s?.vnpt.error && <p className="warn">{s.vnpt.error.message}</p>}
      {s?.error && <p className="error" role="alert" data-testid="service-error">{s.error.message}</p>}
      {s?.ca && (
        <div data-testid="service-ca">
          <p className="muted">{t('ui.service.ca', { name: s.ca.name, fingerprint: s.ca.fingerprint })}</p>
          <button type="button" disabled={busy} onClick={() => void trustCa()} data-testid="service-trust">{t('ui.service.trust')}</button>
          {trust && (
            <ul data-testid="service-trust-result">
              {trust.map((r) => (
                <li key={r.location} className={r.ok ? 'ok' : 'error'}>{r.ok ? t('ui.service.trusted', { location: r.location }) : t('ui.service.notTrusted', { location: r.location, detail: r.detail ?? '' })}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <h3>{t('ui.service.origins')}</h3>
      <table className="list" data-testid="service-origins">
        <thead><tr><th>{t('ui.service.origin')}</th><th>{t('ui.service.decision')}</th><th>{t('ui.service.decidedAt')}</th><th /></tr></thead>
        <tbody>
          {origins.data?.origins.map((o) => (
            <tr key={o.origin} data-testid="service-origin-row">
              <td><code>{o.origin}</code></td>
              <td>{o.allowed ? t('ui.service.allowed') : t('ui.service.refused')}</td>
              <td>{o.decidedAt ? formatDateTime(o.decidedAt, lang) : ''}</td>
              <td className="row">
                <button type="button" onClick={() => void setOrigin(o.origin, !o.allowed)}>{o.allowed ? t('ui.service.deny') : t('ui.service.allow')}</button>
                <button type="button" onClick={() => void setOrigin(o.origin, null)} data-testid="service-origin-revoke">{t('ui.service.revoke')}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {origins.data?.origins.length === 0 && <p className="muted">{t('ui.service.noOrigins')}</p>}
      <div className="row">
        <label htmlFor={`${id}-origin`}>{t('ui.service.addOrigin')}</label>
        <input id={`${id}-origin`} type="url" size={40} placeholder="https://qlvb.tinh.gov.vn" value={newOrigin} onChange={(e) => setNewOrigin(e.target.value)} data-testid="service-new-origin" />
        <button type="button" disabled={!newOrigin.trim()} onClick={() => void setOrigin(newOrigin, true)} data-testid="service-add-origin">{t('ui.service.allow')}</button>
      </div>
      <label className="field" htmlFor={`${id}-hosts`}>
        {t('ui.service.allowedHosts')}
        <textarea id={`${id}-hosts`} rows={3} cols={60} value={hostText} onChange={(e) => { setHostText(e.target.value); setSaved(false); }} data-testid="service-allowed-hosts" />
      </label>
      <div className="row">
        <button type="button" onClick={() => void saveHosts()}>{t('ui.save')}</button>
        {saved && <span className="ok" role="status">{t('ui.saved')}</span>}
      </div>
    </fieldset>
  );
}
