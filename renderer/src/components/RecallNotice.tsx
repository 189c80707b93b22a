/**
 * A received document its sender recalled (status 13): the reason, and the answer the clerk
 * gives (15 agree, 16 refuse, with an optional note), or the answer already given.
 */
import { useId, useState } from 'react';
import type { ErrorPayload, OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { formatDateTime, useI18n } from '../i18n.js';
import { ErrorBanner } from './ErrorBanner.js';

type Doc = OutputOf<'exchange:inboxShow'>['doc'];

/** Shown in the Inbox detail when the document was recalled. */
export function RecallNotice({ doc, onAnswered }: { doc: Doc; onAnswered(): void }) {
  const api = useApi();
  const { t, lang } = useI18n();
  const id = useId();
  const [note, setNote] = useState('');
  const [error, setError] = useState<ErrorPayload | null>(null);
  if (!doc.recallAt) return null;
  const answer = async (code: '15' | '16') => {
    const r = await api['exchange:inboxStatus']({ messageId: doc.messageId, code, description: note.trim() });
    setError(r.ok ? null : r.error);
    if (r.ok) onAnswered();
  };
  return (
    <div className="card warn" role="status" data-testid="recall-notice">
      <p>{t('ui.inbox.recalled', { at: formatDateTime(doc.recallAt, lang), reason: doc.recallReason ?? '' })}</p>
      {doc.recallAnswer ? (
        <p data-testid="recall-answer">{t('ui.inbox.recallAnswered', { answer: t(`ui.status.${doc.recallAnswer}`) })}</p>
      ) : (
        <div className="row">
          <label htmlFor={`${id}-note`}>{t('ui.inbox.recallNote')}</label>
          <input id={`${id}-note`} type="text" value={note} onChange={(e) => setNote(e.target.value)} />
          <button type="button" onClick={() => void answer('15')} data-testid="recall-agree">{t('ui.inbox.recallAgree')}</button>
          <button type="button" onClick={() => void answer('16')} data-testid="recall-refuse">{t('ui.inbox.recallRefuse')}</button>
        </div>
      )}
      <ErrorBanner error={error} />
    </div>
  );
}
