/**
 * Settings kept in the local store (settings:get/set): the first-run setup as one form saved
 * and checked together (SetupForm: server, connecting certificate, TSA, images), then the
 * defaults that save on their own (level, role, token module paths), language, trust store.
 */
import { useEffect, useId, useState } from 'react';
import type { ErrorPayload } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { levels, roles } from '../components/SignOptions.js';
import { TrustStore } from '../components/TrustStore.js';
import { SetupForm } from '../components/SetupForm.js';
import { KeepSessionSetting } from '../components/TokenSessionBadge.js';
import { ServiceSettings } from '../components/ServiceSettings.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';

/** The settings this screen edits: key, label key, kind. */
export const settingFields = [
  { key: 'sign.defaultLevel', label: 'ui.settings.defaultLevel', kind: 'level' },
  { key: 'sign.defaultRole', label: 'ui.settings.defaultRole', kind: 'role' },
  { key: 'token.modulePaths', label: 'ui.settings.modulePaths', kind: 'lines' },
] as const;

/** The Settings screen. */
export function Settings() {
  const api = useApi();
  const { t, lang, setLang } = useI18n();
  const id = useId();
  const loaded = useLoad((a) => a['settings:get']({}), []);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    const v = loaded.data?.values ?? {};
    const d: Record<string, string> = {};
    for (const f of settingFields) {
      const x = v[f.key];
      d[f.key] = Array.isArray(x) ? x.join('\n') : x == null ? '' : String(x);
    }
    setDraft(d);
  }, [loaded.data]);

  const save = async (key: string, kind: string) => {
    const raw = (draft[key] ?? '').trim();
    const value = kind === 'lines' ? raw.split('\n').map((s) => s.trim()).filter(Boolean) : raw;
    const r = await api['settings:set']({ key, value });
    if (r.ok) {
      setError(null);
      setSaved(key);
    } else setError(r.error);
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('ui.nav.settings')}</h1>
      <ErrorBanner error={error ?? loaded.error} />
      <SetupForm />
      <div className="card">
        <label className="field" htmlFor={`${id}-lang`}>
          {t('ui.language')}
          <select id={`${id}-lang`} value={lang} onChange={(e) => setLang(e.target.value === 'en' ? 'en' : 'vi')}>
            <option value="vi">Tiếng Việt</option>
            <option value="en">English</option>
          </select>
        </label>
      </div>
      <form className="card" onSubmit={(e) => e.preventDefault()}>
        {settingFields.map((f) => {
          const fid = `${id}-${f.key}`;
          const value = draft[f.key] ?? '';
          const set = (v: string) => { setDraft({ ...draft, [f.key]: v }); setSaved(null); };
          return (
            <div key={f.key} className="field">
              <label htmlFor={fid}>{t(f.label)}</label>
              <div className="row">
                {f.kind === 'level' || f.kind === 'role' ? (
                  <select id={fid} value={value} onChange={(e) => set(e.target.value)}>
                    <option value="">—</option>
                    {(f.kind === 'level' ? levels : roles).map((x) => <option key={x} value={x}>{t(f.kind === 'level' ? `ui.level.${x}` : `ui.role.${x}`)}</option>)}
                  </select>
                ) : (
                  <textarea id={fid} rows={3} cols={70} value={value} onChange={(e) => set(e.target.value)} data-testid={`setting-${f.key}`} />
                )}
                <button type="button" onClick={() => void save(f.key, f.kind)} aria-label={`${t('ui.save')}: ${t(f.label)}`} data-testid={`save-${f.key}`}>{t('ui.save')}</button>
                {saved === f.key && <span className="ok" role="status">{t('ui.saved')}</span>}
              </div>
            </div>
          );
        })}
      </form>
      <div className="card"><KeepSessionSetting /></div>
      <TrustStore />
      <ServiceSettings />
    </section>
  );
}
