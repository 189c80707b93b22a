/** The app shell: header with language switch, navigation, the current screen. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AppApi } from '../../main/api/index.js';
import type { Lang } from '../../resources/locales/index.js';
import { ApiContext } from './api/context.js';
import { I18nContext, makeI18n } from './i18n.js';
import { screenFromHash, screenIds, type ScreenId } from './routes.js';
import { Home } from './screens/Home.js';
import { Pending } from './screens/Pending.js';

/** Renders the screen for an id. */
function Screen({ id }: { id: ScreenId }) {
  switch (id) {
    case 'home':
      return <Home />;
    default:
      return <Pending titleKey={`ui.nav.${id}`} ops={`${id}:*`} />;
  }
}

/** The root component, given a connected AppApi. */
export function App({ api, initialLang = 'vi' }: { api: AppApi; initialLang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [screen, setScreen] = useState<ScreenId>(() => screenFromHash(window.location.hash));

  useEffect(() => {
    void api['app:info']({}).then((r) => r.ok && setLangState(r.value.lang));
    return api.on('app:lang', (p) => setLangState(p.lang));
  }, [api]);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    const onHash = () => setScreen(screenFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    void api['app:setLang']({ lang: l });
  }, [api]);
  const i18n = useMemo(() => makeI18n(lang, setLang), [lang, setLang]);
  const { t } = i18n;

  return (
    <ApiContext.Provider value={api}>
      <I18nContext.Provider value={i18n}>
        <div className="shell" data-testid="app-shell">
          <header className="topbar">
            <span className="brand">{t('app.name')}</span>
            <span className="tagline">{t('app.tagline')}</span>
            <label className="lang">
              {t('ui.language')}{' '}
              <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} data-testid="lang-select">
                <option value="vi">Tiếng Việt</option>
                <option value="en">English</option>
              </select>
            </label>
          </header>
          <nav className="sidebar" aria-label={t('ui.nav.label')}>
            <ul>
              {screenIds.map((id) => (
                <li key={id}>
                  <a href={`#/${id}`} aria-current={id === screen ? 'page' : undefined} data-testid={`nav-${id}`}>
                    {t(`ui.nav.${id}`)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <main className="content" id="main">
            <Screen id={screen} />
          </main>
        </div>
      </I18nContext.Provider>
    </ApiContext.Provider>
  );
}
