/** Tray icon with the inbox count, and OS notifications when documents arrive. */
import { Menu, Notification, Tray, nativeImage } from 'electron';
import type { Core } from '../services/core.js';
import { resourcePath } from '../services/paths.js';
import { t } from '../../resources/locales/index.js';

/** Counts documents waiting in the inbox (state `arrived`); 0 when the exchange is unavailable. */
async function arrivedCount(core: Core): Promise<number> {
  const r = await core.call('exchange:inboxList', { state: 'arrived', limit: 1000 });
  if (!r.ok) return 0;
  return (r.value as { items: unknown[] }).items.length;
}

/** The tray label for a count ("999+" beyond the list page). */
export function trayCountLabel(n: number): string {
  return n >= 1000 ? '999+' : String(n);
}

/** Creates the tray; `show` brings the window forward. Returns the disposer. */
export function createTray(core: Core, show: (screen?: string) => void): () => void {
  const tray = new Tray(nativeImage.createFromPath(resourcePath('icons', 'tray.png')));
  const refresh = async () => {
    const n = await arrivedCount(core);
    const lang = core.state.lang;
    tray.setToolTip(`Kyso — ${t(lang, 'ui.tray.inbox', { count: trayCountLabel(n) })}`);
    // macOS shows a title next to the icon; elsewhere the tooltip and menu carry the count.
    tray.setTitle(n > 0 ? trayCountLabel(n) : '');
    tray.setContextMenu(Menu.buildFromTemplate([
      { label: t(lang, 'ui.tray.open'), click: () => show() },
      { label: t(lang, 'ui.tray.inbox', { count: trayCountLabel(n) }), click: () => show('inbox') },
      { type: 'separator' },
      { label: t(lang, 'ui.tray.quit'), role: 'quit' },
    ]));
  };
  tray.on('click', () => show());
  void refresh();
  const unsubscribe = core.bus.subscribe((event, payload) => {
    if (event === 'exchange:inboxArrival') {
      void refresh();
      const doc = (payload as { doc: { fromName: string; subject: string } }).doc;
      if (Notification.isSupported()) {
        const n = new Notification({
          title: t(core.state.lang, 'ui.notify.arrival', { from: doc.fromName }),
          body: doc.subject,
        });
        n.on('click', () => show('inbox'));
        n.show();
      }
    } else if (event === 'app:lang' || event === 'exchange:status') {
      void refresh();
    }
  });
  // Accepting or rejecting changes the count without an event: a cheap periodic recount.
  const timer = setInterval(() => void refresh(), 60_000);
  return () => {
    clearInterval(timer);
    unsubscribe();
    tray.destroy();
  };
}
