/** The app shell: header with language switch, navigation, the current screen. */
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import type { AppApi } from '../../main/api/index.js';
import type { Lang } from '../../resources/locales/index.js';
import { ApiContext } from './api/context.js';
import { I18nContext, makeI18n } from './i18n.js';
import { screenFromHash, screenIds, type ScreenId } from './routes.js';
import { Home } from './screens/Home.js';
import { ServiceConsent } from './components/ServiceConsent.js';

// Screens other than Home are separate chunks loaded on first visit.
const Verify = lazy(() => import('./screens/Verify.js').then((m) => ({ default: m.Verify })));
const Tokens = lazy(() => import('./screens/Tokens.js').then((m) => ({ default: m.Tokens })));
const Sign = lazy(() => import('./screens/Sign.js').then((m) => ({ default: m.Sign })));
const Settings = lazy(() => import('./screens/Settings.js').then((m) => ({ default: m.Settings })));
const Send = lazy(() => import('./screens/Send.js').then((m) => ({ default: m.Send })));
const Registers = lazy(() => import('./screens/Registers.js').then((m) => ({ default: m.Registers })));
const Inbox = lazy(() => import('./screens/Inbox.js').then((m) => ({ default: m.Inbox })));
const Batch = lazy(() => import('./screens/Batch.js').then((m) => ({ default: m.Batch })));

/** Renders the screen for an id; `opened` are files the OS asked us to open. */
function Screen({ id, opened }: { id: ScreenId; opened: { paths: string[]; n: number } }) {
  switch (id) {
    case 'home':
      return <Home />;
    case 'sign':
      return <Sign key={opened.n} initialPaths={opened.paths} />;
    case 'batch':
      return <Batch />;
    case 'send':
      return <Send />;
    case 'inbox':
      return <Inbox />;
    case 'registers':
      return <Registers />;
    case 'tokens':
      return <Tokens />;
    case 'settings':
      return <Settings />;
    case 'verify':
      return <Verify />;
  }
}

/** Screen named by a kyso:// link (kyso://inbox, kyso://sign ...), if any. */
export function screenFromLink(url: string | null): ScreenId | null {
  if (!url) return null;
  const m = /^kyso:\/\/([a-z]+)/i.exec(url);
  const s = m?.[1] ? screenFromHash(`#/${m[1].toLowerCase()}`) : 'home';
  return s;
}

/** The root component, given a connected AppApi. */
export function App({ api, initialLang = 'vi' }: { api: AppApi; initialLang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const [screen, setScreen] = useState<ScreenId>(() => screenFromHash(window.location.hash));
  const [opened, setOpened] = useState<{ paths: string[]; n: number }>({ paths: [], n: 0 });

  useEffect(() => {
    void api['app:info']({}).then((r) => r.ok && setLangState(r.value.lang));
    const offLang = api.on('app:lang', (p) => setLangState(p.lang));
    const offOpen = api.on('app:openRequest', (req) => {
      if (req.paths.length) {
        setOpened((o) => ({ paths: req.paths, n: o.n + 1 }));
        window.location.hash = '#/sign';
      } else {
        const target = screenFromLink(req.url);
        if (target) window.location.hash = `#/${target}`;
      }
    });
    return () => {
      offLang();
      offOpen();
    };
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
            {/* Screens other than Home load on first visit: a small first bundle. */}
            <Suspense fallback={<p className="muted">{t('ui.loading')}</p>}>
              <Screen id={screen} opened={opened} />
            </Suspense>
          </main>
          {/* The local signing service's questions, over any screen. */}
          <ServiceConsent />
        </div>
      </I18nContext.Provider>
    </ApiContext.Provider>
  );
}
