/** Tokens: every PKCS#11 module, its tokens, PIN state and certificate details. */
import { listTokens } from '../api/token-list.js';
import { useState } from 'react';
import type { OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { PinDialog, pinWarnings } from '../components/PinDialog.js';
import { useEvent, useLoad } from '../hooks.js';
import { formatDateTime, useI18n } from '../i18n.js';
import { ProvisionPanel } from './tokens/ProvisionPanel.js';
import { errorText } from '../../../resources/locales/index.js';
import { usageText } from '../usage.js';

type Token = OutputOf<'token:list'>['modules'][number]['tokens'][number];

/** The Tokens screen. */
export function Tokens() {
  const api = useApi();
  const { t, lang } = useI18n();
  const list = useLoad((a) => listTokens(a), []);
  useEvent('token:changed', () => list.reload());
  const [login, setLogin] = useState<{ module: string; token: Token } | null>(null);

  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">{t('ui.nav.tokens')}</h1>
      <div className="row"><button type="button" onClick={list.reload}>{t('ui.refresh')}</button></div>
      <ErrorBanner error={list.error} />
      {list.data?.modules.map((m) => (
        <div key={m.path} className="card" data-testid="token-module">
          <h2 data-testid="module-vendor">{m.vendor ?? m.manufacturer ?? t('provision.ui.module.unknownVendor')}{m.description && m.description !== m.vendor ? <span className="muted"> — {m.description}</span> : null}</h2>
          <p className="muted"><code>{m.path}</code> {m.libraryVersion && `· ${m.libraryVersion}`}</p>
          {m.error && <p className="bad" role="alert">{errorText(lang, m.error)}</p>}
          {m.ok && m.tokens.length === 0 && <p className="muted">{t('ui.token.noTokenInModule')}</p>}
          {m.tokens.map((tk) => (
            <div key={tk.slotId + tk.label} className="card" data-testid="token-card">
              <h3>{tk.label} <span className="muted">— {tk.manufacturer} {tk.model} · {t('ui.token.serial')} {tk.serial}</span></h3>
              <p>
                <span className={tk.loggedIn ? 'badge ok' : 'badge'}>{tk.loggedIn ? t('ui.token.loggedIn') : t('ui.token.loggedOut')}</span>{' '}
                {pinWarnings(tk.flags).map((k) => <span key={k} className="badge warn">{t(k)}</span>)}
              </p>
              <div className="row">
                {!tk.loggedIn && <button type="button" onClick={() => setLogin({ module: m.path, token: tk })}>{t('ui.token.login')}</button>}
                {tk.loggedIn && <button type="button" onClick={() => void api['token:logout']({ token: { module: m.path, label: tk.label } }).then(list.reload)}>{t('ui.token.logout')}</button>}
              </div>
              <table className="list">
                <thead><tr><th>{t('ui.cert.subject')}</th><th>{t('ui.cert.issuer')}</th><th>{t('ui.cert.validity')}</th><th>{t('ui.cert.usage')}</th><th>{t('ui.cert.key')}</th></tr></thead>
                <tbody>
                  {tk.certificates.map((c) => (
                    <tr key={c.fingerprint} data-testid="cert-row">
                      <td>{c.subject}<div className="muted">{t('ui.cert.serial')} {c.serial}</div></td>
                      <td>{c.issuer}</td>
                      <td className={c.expiresSoon ? 'warn' : undefined}>
                        {formatDateTime(c.notBefore, lang)} → {formatDateTime(c.notAfter, lang)}
                        {c.expiresSoon && <div role="status">{t('ui.cert.expiresSoon')}</div>}
                      </td>
                      <td>{usageText(t, lang, [...c.keyUsage, ...c.extendedKeyUsage])}</td>
                      <td>{c.keyType}{c.hasPrivateKey ? ` · ${t('ui.cert.hasKey')}` : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </div>
      ))}
      {login && <PinDialog module={login.module} token={login.token} onDone={() => { setLogin(null); list.reload(); }} />}
      <ProvisionPanel onChanged={list.reload} />
    </section>
  );
}
