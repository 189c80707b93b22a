/**
 * A sent document's statuses: each recipient by name (code on hover) with its latest status
 * in words (the edXML code on hover), the delivery to the server, the recall form, and the
 * whole timeline.
 */
import { useId, useState } from 'react';
import type { ErrorPayload } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useEvent, useLoad } from '../hooks.js';
import { formatDateTime, useI18n } from '../i18n.js';
import { ErrorBanner } from './ErrorBanner.js';
import { OrgName } from './OrgName.js';

/** A status code in words, the code itself on hover. */
export function StatusWords({ code, description }: { code: string; description?: string | null }) {
  const { t } = useI18n();
  return <span title={code} data-status={code}>{t(`ui.status.${code}`)}{description ? ` — ${description}` : ''}</span>;
}

/** Recalls a sent document (status 13) with its mandatory reason; recipients answer 15/16. */
function RecallForm({ messageId, onDone }: { messageId: string; onDone(): void }) {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ErrorPayload | null>(null);
  const recall = async () => {
    const r = await api['exchange:recall']({ messageId, reason: reason.trim() });
    setError(r.ok ? null : r.error);
    if (r.ok) {
      setReason('');
      onDone();
    }
  };
  return (
    <div className="row">
      <label htmlFor={`${id}-reason`}>{t('ui.send.recallReason')}</label>
      <input id={`${id}-reason`} type="text" value={reason} onChange={(e) => setReason(e.target.value)} data-testid="recall-reason" />
      <button type="button" disabled={!reason.trim()} onClick={() => void recall()} data-testid="recall-send">{t('ui.send.recall')}</button>
      <ErrorBanner error={error} />
    </div>
  );
}

/** Status timeline of one sent document. */
export function SendTimeline({ messageId }: { messageId: string }) {
  const api = useApi();
  const { t, lang } = useI18n();
  const [syncError, setSyncError] = useState<ErrorPayload | null>(null);
  const doc = useLoad((a) => a['exchange:outgoingShow']({ messageId }), [messageId]);
  const sync = async () => {
    const r = await api['exchange:inboxSync']({});
    setSyncError(r.ok ? null : r.error);
    doc.reload();
  };
  useEvent('exchange:status', (p) => p.messageId === messageId && doc.reload());
  useEvent('exchange:outboxProgress', (p) => p.messageId === messageId && doc.reload());
  const d = doc.data?.doc;
  if (!d) return <ErrorBanner error={doc.error} />;
  return (
    <div className="card" data-testid="send-timeline">
      <h2>{d.number}/{d.notation} — {d.subject}</h2>
      <button type="button" onClick={() => void sync()} data-testid="send-sync">{t('ui.send.updateStatus')}</button>
      <ErrorBanner error={syncError} />
      <p>{t('ui.send.delivery')}: <strong data-testid="send-delivery">{d.delivery ? t(`ui.send.delivery.${d.delivery}`) : '—'}</strong>{d.lastError ? ` — ${d.lastError}` : ''}</p>
      <table className="list">
        <thead><tr><th>{t('ui.send.recipient')}</th><th>{t('ui.send.status')}</th><th>{t('ui.send.at')}</th></tr></thead>
        <tbody>
          {d.recipients.map((r) => {
            const s = d.latest[r];
            return (
              <tr key={r} data-testid="send-recipient" data-org={r}>
                <td><OrgName code={r} names={d.recipientNames} /></td>
                <td>{s ? <StatusWords code={s.statusCode} description={s.description} /> : t('ui.send.noStatus')}</td>
                <td>{s ? formatDateTime(s.at, lang) : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <RecallForm messageId={messageId} onDone={() => doc.reload()} />
      <details>
        <summary>{t('ui.send.timeline')}</summary>
        <ol data-testid="send-timeline-events">{d.timeline.map((e, i) => <li key={i}>{formatDateTime(e.at, lang)} · <OrgName code={e.orgCode} names={d.recipientNames} /> · <StatusWords code={e.statusCode} /></li>)}</ol>
      </details>
    </div>
  );
}
