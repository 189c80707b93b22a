/** Renderer entry: connect to the core (Electron preload or browser host) and render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { t } from '../../resources/locales/index.js';
import { App } from './App.js';
import { connect } from './api/connect.js';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
// Read when it is needed: the App sets <html lang> to the language the user picked.
const lang = () => (document.documentElement.lang === 'en' ? 'en' : 'vi');
const api = connect(() => t(lang(), 'error.hostDisconnected'));
if (api) {
  root.render(
    <StrictMode>
      <App api={api} />
    </StrictMode>,
  );
} else {
  root.render(<p role="alert">{t(lang(), 'ui.noSession')}</p>);
}
