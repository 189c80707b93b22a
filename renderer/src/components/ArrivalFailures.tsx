/**
 * Packages addressed to us that were refused on arrival (bad signature, altered files...):
 * who sent them and why, so the clerk can ask the sender to send again. Nothing of them was kept.
 */
import type { OutputOf } from '../../../main/api/index.js';
import { errorText } from '../../../resources/locales/index.js';
import { formatDateTime, useI18n } from '../i18n.js';

type Failure = OutputOf<'exchange:inboxFailures'>['items'][number];

function paramsOf(detail: string): Record<string, unknown> {
  try {
    const p = JSON.parse(detail) as unknown;
    return typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The refused arrivals, newest first; nothing when there are none. */
export function ArrivalFailures({ items }: { items: Failure[] }) {
  const { t, lang } = useI18n();
  if (!items.length) return null;
  return (
    <details className="card" data-testid="arrival-failures">
      <summary className="warn">{t('ui.inbox.failures', { count: items.length })}</summary>
      <table className="list">
        <thead><tr><th>{t('ui.doc.from')}</th><th>{t('ui.inbox.failureReason')}</th><th>{t('ui.doc.received')}</th></tr></thead>
        <tbody>
          {items.map((f) => (
            <tr key={`${f.server} ${f.messageId}`}>
              <td>{f.sender}</td>
              <td>{errorText(lang, { code: f.errorCode, params: paramsOf(f.detail) })}</td>
              <td>{formatDateTime(f.at, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
