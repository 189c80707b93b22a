/** Inbox: live arrivals, preview with the validation result, accept/register, reject with reason, status. */
import { useEffect, useState } from 'react';
import { isIndication, type ErrorPayload, type FileVerdict, type OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { ArrivalFailures } from '../components/ArrivalFailures.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { PackageFacts, SignatureMark } from '../components/PackageSignature.js';
import { RecallNotice } from '../components/RecallNotice.js';
import { useEvent, useLoad } from '../hooks.js';
import { formatDateTime, useI18n } from '../i18n.js';

type Doc = OutputOf<'exchange:inboxList'>['items'][number];

/** CSS class for a validation status. */
export function validationClass(s: FileVerdict | null): string {
  if (s === 'TOTAL_PASSED') return 'ok';
  if (s === 'TOTAL_FAILED') return 'bad';
  return 'warn';
}

/** A validation result in words ("HỢP LỆ") with its ETSI code, when the code is one we name. */
function IndicationText({ code, testId }: { code: FileVerdict; testId?: string }) {
  const { t } = useI18n();
  return (
    <>
      {isIndication(code) && <>{t(`verify.indication.${code}`)} </>}
      <code data-testid={testId}>{code}</code>
    </>
  );
}

/** The detail pane of one document. */
function Detail({ doc, onChanged }: { doc: Doc; onChanged(): void }) {
  const api = useApi();
  const { t, lang } = useI18n();
  const show = useLoad((a) => a['exchange:inboxShow']({ messageId: doc.messageId }), [doc.messageId, doc.state]);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ErrorPayload | null>(null);
  const act = async (p: Promise<{ ok: boolean; error?: ErrorPayload }>) => {
    const r = await p;
    setError(r.ok ? null : r.error ?? null);
    onChanged();
    show.reload();
  };
  const d = show.data?.doc ?? doc;
  return (
    <div className="card" data-testid="inbox-detail">
      <h2>{d.subject}</h2>
      <dl className="facts">
        <dt>{t('ui.doc.from')}</dt><dd>{d.fromName} ({d.fromCode})</dd>
        <dt>{t('ui.doc.numberNotation')}</dt><dd>{d.number}/{d.notation}</dd>
        <dt>{t('ui.doc.type')}</dt><dd>{d.type}</dd>
        <dt>{t('ui.doc.received')}</dt><dd>{formatDateTime(d.receivedAt, lang)}</dd>
        <dt>{t('ui.doc.validation')}</dt>
        <dd className={validationClass(d.validationStatus)}>
          {d.validationStatus ? <IndicationText code={d.validationStatus} testId="inbox-validation" /> : t('ui.doc.noSignature')}
        </dd>
        <PackageFacts doc={d} />
        <dt>{t('ui.doc.state')}</dt><dd data-testid="inbox-state">{t(`ui.doc.state.${d.state}`)}{d.arrivalNumber != null ? ` — ${t('ui.doc.arrival', { number: d.arrivalNumber, year: d.arrivalYear ?? '' })}` : ''}{d.reason ? ` — ${d.reason}` : ''}</dd>
      </dl>
      <h3>{t('ui.doc.files')}</h3>
      <ul>
        {show.data?.files.map((f) => (
          <li key={f.sha256}>
            {/* The sender's name with invisible characters shown, and the type Kyso found in the bytes; only documents open. */}
            {f.openable
              ? <button type="button" className="link" onClick={() => void api['shell:openPath']({ path: f.path }).then((r) => { if (!r.ok) setError(r.error); })} data-testid="inbox-file">{f.displayName}</button>
              : <span data-testid="inbox-file-inert" title={t('ui.inbox.fileNotOpenable')}>{f.displayName}</span>}{' '}
            <span className="muted" data-testid="inbox-file-kind">{f.kind === 'bin' ? t('ui.inbox.fileKindOther') : f.kind.toUpperCase()}</span>{' '}
            <span className={validationClass(f.validationStatus)}>{f.validationStatus ? <IndicationText code={f.validationStatus} /> : ''}</span>
            {f.detectedType && f.detectedType !== f.contentType ? <span className="warn"> ({t('edxml.attachment.declared', { declared: f.contentType, detected: f.detectedType })})</span> : null}
          </li>
        ))}
      </ul>
      <ErrorBanner error={error ?? show.error} />
      <RecallNotice doc={d} onAnswered={() => { onChanged(); show.reload(); }} />
      {d.state === 'arrived' && (
        <div>
          <button type="button" className="primary" data-testid="inbox-accept" onClick={() => void act(api['exchange:inboxAccept']({ messageId: d.messageId }))}>{t('ui.inbox.accept')}</button>
          <div className="row">
            <label htmlFor="reject-reason">{t('ui.inbox.reason')}</label>
            <input id="reject-reason" type="text" value={reason} onChange={(e) => setReason(e.target.value)} data-testid="inbox-reason" />
            <button type="button" disabled={!reason.trim()} data-testid="inbox-reject" onClick={() => void act(api['exchange:inboxReject']({ messageId: d.messageId, reason }))}>{t('ui.inbox.reject')}</button>
          </div>
        </div>
      )}
      {d.state === 'accepted' && (
        <div className="row">
          {(['04', '05', '06'] as const).map((code) => (
            <button key={code} type="button" onClick={() => void act(api['exchange:inboxStatus']({ messageId: d.messageId, code }))}>{t(`ui.inbox.status.${code}`)}</button>
          ))}
        </div>
      )}
    </div>
  );
}

/** The Inbox screen. */
export function Inbox() {
  const api = useApi();
  const { t, lang } = useI18n();
  const list = useLoad((a) => a['exchange:inboxList']({ limit: 200 }), []);
  const failures = useLoad((a) => a['exchange:inboxFailures']({}), []);
  const [selected, setSelected] = useState<string | null>(null);
  const [syncError, setSyncError] = useState<ErrorPayload | null>(null);
  useEvent('exchange:inboxArrival', () => list.reload());
  useEvent('exchange:arrivalFailed', () => failures.reload());
  // Live arrivals (SSE) from the configured server; idempotent in the core, and left on when
  // the screen closes so arrivals keep coming. Without a server or login it fails quietly:
  // the Sync button then shows the reason.
  useEffect(() => {
    void api['exchange:live']({ on: true }).then((r) => r.ok && list.reload());
  }, [api]);
  const sync = async () => {
    const r = await api['exchange:inboxSync']({});
    setSyncError(r.ok ? null : r.error);
    list.reload();
    failures.reload();
  };
  const doc = list.data?.items.find((d) => d.messageId === selected);
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">{t('ui.nav.inbox')}</h1>
      <div className="row"><button type="button" onClick={() => void sync()} data-testid="inbox-sync">{t('ui.inbox.sync')}</button></div>
      <ErrorBanner error={list.error ?? syncError} />
      <ArrivalFailures items={failures.data?.items ?? []} />
      <div className="split">
        <table className="list selectable" data-testid="inbox-list">
          <thead><tr><th>{t('ui.doc.from')}</th><th>{t('ui.doc.subject')}</th><th>{t('ui.doc.received')}</th></tr></thead>
          <tbody>
            {list.data?.items.map((d) => (
              <tr key={d.messageId} aria-selected={d.messageId === selected} tabIndex={0} data-testid="inbox-row"
                onClick={() => setSelected(d.messageId)} onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && setSelected(d.messageId)}>
                <td>{d.fromName}</td>
                <td>{d.state === 'arrived' ? <strong>{d.subject}</strong> : d.subject}{d.recallAt ? <span className="warn"> ({t('ui.inbox.recalledShort')})</span> : null}<SignatureMark doc={d} /></td>
                <td>{formatDateTime(d.receivedAt, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {doc ? <Detail doc={doc} onChanged={list.reload} /> : <p className="muted">{t('ui.inbox.pick')}</p>}
      </div>
    </section>
  );
}
