/** Home: tokens present, certificate expiry warnings, inbox counts, outbox progress, app facts. */
import { listTokens } from '../api/token-list.js';
import { useState } from 'react';
import type { EventPayload } from '../../../main/api/index.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { setupMissing } from '../setup.js';
import { signingTokens } from '../components/TokenPicker.js';
import { useEvent, useLoad } from '../hooks.js';
import { displayName } from '../dn.js';
import { formatDate, formatDateTime, useI18n } from '../i18n.js';

/** The home screen. */
export function Home() {
  const { t, lang } = useI18n();
  const info = useLoad((a) => a['app:info']({}), []);
  const tokens = useLoad((a) => listTokens(a), []);
  const inbox = useLoad((a) => a['exchange:inboxList']({ state: 'arrived', limit: 1000 }), []);
  const [outbox, setOutbox] = useState<EventPayload<'exchange:outboxProgress'> | null>(null);
  const settings = useLoad((a) => a['settings:get']({ prefix: 'exchange.' }), []);
  const server = useLoad((a) => a['settings:check']({ parts: ['server'] }), []);
  const serverResult = server.data?.results[0];
  useEvent('token:changed', () => tokens.reload());
  useEvent('exchange:inboxArrival', () => inbox.reload());
  useEvent('exchange:outboxProgress', setOutbox);

  const choices = tokens.data ? signingTokens(tokens.data.modules) : [];
  const expiring = choices.flatMap((c) => c.token.certificates.filter((x) => x.expiresSoon).map((x) => ({ token: c.token.label, cert: x })));
  const waiting = inbox.data?.items.length ?? 0;

  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">{t('ui.home.title')}</h1>
      {settings.data && setupMissing(settings.data.values) && (
        <p className="warn card" role="status" data-testid="home-setup-needed"><a href="#/settings">{t('ui.setup.needed')}</a></p>
      )}
      <div className="row" style={{ alignItems: 'stretch' }}>
        <div className="card" data-testid="home-tokens">
          <h2>{t('ui.nav.tokens')}</h2>
          {tokens.error ? <p className="muted">{tokens.error.message}</p> : choices.length === 0 ? <p className="warn">{t('ui.token.none')}</p> : (
            <ul>{choices.map((c) => <li key={c.module + c.token.label}>{c.token.label} <span className="muted">({c.token.certificates.length} {t('ui.home.certs')})</span></li>)}</ul>
          )}
          {expiring.map((e) => (
            <p key={e.cert.fingerprint} className="warn" role="status">{t('ui.home.expiring', { token: e.token, subject: displayName(e.cert.subject), date: formatDate(e.cert.notAfter, lang) })}</p>
          ))}
        </div>
        <div className="card" data-testid="home-server" data-state={serverResult?.state ?? 'checking'}>
          <h2>{t('ui.setup.part.server')}</h2>
          {!serverResult ? <p className="muted">{t('ui.loading')}</p>
            : serverResult.state === 'ok' ? <p className="ok">{t('ui.home.serverOk')}</p>
            : serverResult.state === 'notSet' ? <p className="warn">{t('ui.setup.notSet')}</p>
            : <p className="bad" role="alert" title={serverResult.code}>{t('ui.home.serverDown')}: {serverResult.message}</p>}
          <button type="button" onClick={server.reload} data-testid="home-server-retry">{t('ui.refresh')}</button>
        </div>
        <div className="card" data-testid="home-inbox">
          <h2>{t('ui.nav.inbox')}</h2>
          {inbox.error ? <p className="muted">{inbox.error.message}</p> : <p><a href="#/inbox">{t('ui.home.inboxWaiting', { count: waiting >= 1000 ? '999+' : waiting })}</a></p>}
        </div>
        <div className="card" data-testid="home-outbox">
          <h2>{t('ui.home.outbox')}</h2>
          {outbox ? (
            <>
              <progress max={outbox.total} value={outbox.sent + outbox.failed} aria-label={t('ui.home.outbox')} />
              <p>{t('ui.home.outboxProgress', { sent: outbox.sent, failed: outbox.failed, total: outbox.total })}</p>
            </>
          ) : <p className="muted">{t('ui.home.outboxIdle')}</p>}
        </div>
      </div>
      <ErrorBanner error={info.error} />
      {info.data && (
        <dl className="facts" data-testid="app-info">
          <dt>{t('ui.home.version')}</dt>
          <dd data-testid="app-version">{info.data.version}</dd>
          <dt>{t('ui.home.host')}</dt>
          <dd data-testid="app-host">{t(`ui.host.${info.data.host}`)}</dd>
          <dt>{t('ui.home.dataDir')}</dt>
          <dd><code>{info.data.home}</code></dd>
          <dt>{t('ui.home.coreTime')}</dt>
          <dd data-testid="core-time">{formatDateTime(info.data.coreTime, lang)}</dd>
        </dl>
      )}
    </section>
  );
}
