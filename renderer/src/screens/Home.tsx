/** Home: app identity and core round-trip; tokens, expiries and inbox counts as domains land. */
import { useEffect, useState } from 'react';
import type { ErrorPayload, OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { formatDateTime, useI18n } from '../i18n.js';

type Info = OutputOf<'app:info'>;

/** The home screen. */
export function Home() {
  const api = useApi();
  const { t, lang } = useI18n();
  const [info, setInfo] = useState<Info | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);

  useEffect(() => {
    let live = true;
    void api['app:info']({}).then((r) => {
      if (!live) return;
      if (r.ok) setInfo(r.value);
      else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [api]);

  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">{t('ui.home.title')}</h1>
      <ErrorBanner error={error} />
      {info && (
        <dl className="facts" data-testid="app-info">
          <dt>{t('ui.home.version')}</dt>
          <dd data-testid="app-version">{info.version}</dd>
          <dt>{t('ui.home.host')}</dt>
          <dd data-testid="app-host">{t(`ui.host.${info.host}`)}</dd>
          <dt>{t('ui.home.dataDir')}</dt>
          <dd><code>{info.home}</code></dd>
          <dt>{t('ui.home.coreTime')}</dt>
          <dd data-testid="core-time">{formatDateTime(info.coreTime, lang)}</dd>
        </dl>
      )}
    </section>
  );
}
