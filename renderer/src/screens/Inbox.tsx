/**
 * Inbox: live arrivals; the selected document read in the built-in viewer with its
 * signatures' verdict beside it, before the clerk registers or rejects it; PDF attachments open
 * in the same viewer, other files are saved on request (never opened with another program);
 * handling statuses; recalls.
 */
import { useEffect, useState } from 'react';
import type { ErrorPayload, OutputOf, Result } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { ArrivalFailures } from '../components/ArrivalFailures.js';
import { AttachmentSave } from '../components/AttachmentSave.js';
import { DocumentVerdict, signaturesOfReport, verdictClass } from '../components/DocumentVerdict.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { PackageFacts, SignatureMark } from '../components/PackageSignature.js';
import { PdfPreview } from '../components/PdfPreview.js';
import { RecallNotice } from '../components/RecallNotice.js';
import { useExchangeLogin } from '../components/useExchangeLogin.js';
import { useEvent, useLoad } from '../hooks.js';
import { formatDateTime, formatIsoDay, useI18n } from '../i18n.js';
import { useKeptState } from '../state.js';

type Doc = OutputOf<'exchange:inboxList'>['items'][number];
type File = OutputOf<'exchange:inboxShow'>['files'][number];

/** CSS class for a validation status (kept for the screens that import it from here). */
export const validationClass = verdictClass;

/** True for a file the built-in viewer shows: a PDF by its bytes (the type Kyso found), not by its name. */
export const isPdfFile = (f: Pick<File, 'kind'>) => f.kind === 'pdf';

/** The detail pane of one document: facts, verdict, files, actions, and the viewer. */
function Detail({ doc, onChanged }: { doc: Doc; onChanged(): void }) {
  const api = useApi();
  const { t, lang } = useI18n();
  const show = useLoad((a) => a['exchange:inboxShow']({ messageId: doc.messageId }), [doc.messageId, doc.state]);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [viewing, setViewing] = useState<string | null>(null);
  const login = useExchangeLogin();
  const files = show.data?.files ?? [];
  const pdfs = files.filter(isPdfFile);
  const current = pdfs.find((f) => f.path === viewing) ?? pdfs[0] ?? null;
  useEffect(() => setViewing(null), [doc.messageId]);
  // Answers are signed with the connecting certificate: a logged-out token asks its PIN, then answers.
  const act = async (call: () => Promise<Result<unknown>>) => {
    const r = await login.run(call);
    setError(r.ok ? null : r.error);
    onChanged();
    show.reload();
  };
  const d = show.data?.doc ?? doc;
  const report = current ? signaturesOfReport(current.validation) : null;
  return (
    <div className="inbox-detail" data-testid="inbox-detail">
      <div>
        <h2>{d.subject}</h2>
        <dl className="facts">
          <dt>{t('ui.doc.from')}</dt><dd title={d.fromCode}>{d.fromName}</dd>
          <dt>{t('ui.doc.numberNotation')}</dt><dd>{d.number}/{d.notation} · {d.type}</dd>
          {d.meta.issueDate && <><dt>{t('ui.send.issueDate')}</dt><dd>{formatIsoDay(d.meta.issueDate)}</dd></>}
          {d.meta.signerName && <><dt>{t('ui.send.signerName')}</dt><dd>{d.meta.signerName}{d.meta.signerPosition ? `, ${d.meta.signerPosition}` : ''}</dd></>}
          {d.meta.priority ? <><dt>{t('ui.send.priority')}</dt><dd className="warn">{t(`ui.priority.${d.meta.priority}`)}</dd></> : null}
          {d.meta.dueDate && <><dt>{t('ui.send.dueDate')}</dt><dd className="warn" data-testid="inbox-due">{formatIsoDay(d.meta.dueDate)}</dd></>}
          <dt>{t('ui.doc.received')}</dt><dd>{formatDateTime(d.receivedAt, lang)}</dd>
          <PackageFacts doc={d} />
          <dt>{t('ui.doc.state')}</dt><dd data-testid="inbox-state">{t(`ui.doc.state.${d.state}`)}{d.arrivalNumber != null ? ` — ${t('ui.doc.arrival', { number: d.arrivalNumber, year: d.arrivalYear ?? '' })}` : ''}{d.reason ? ` — ${d.reason}` : ''}</dd>
        </dl>
        <h3>{t('ui.doc.validation')}</h3>
        {current && report ? <DocumentVerdict signatures={report.signatures} unreadable={report.unreadable} testId="inbox-verdict" /> : <p className="muted">{t('ui.doc.noSignature')}</p>}
        <h3>{t('ui.doc.files')}</h3>
        <ul data-testid="inbox-files">
          {files.map((f, index) => (
            <li key={f.sha256} data-testid="inbox-file-row">
              {/* The sender's name with invisible characters shown. PDFs open in the viewer beside; no file is
                  handed to another program: any file can be saved as a copy, under its safe name. */}
              {isPdfFile(f) ? (
                <button type="button" className="link" aria-pressed={current?.path === f.path} onClick={() => setViewing(f.path)} data-testid="inbox-file">{f.displayName}</button>
              ) : (
                <span data-testid="inbox-file-name" title={f.kind === 'bin' ? t('ui.inbox.fileNotOpenable') : undefined}>{f.displayName}</span>
              )}{' '}
              <span className="muted" data-testid="inbox-file-kind">{f.kind === 'bin' ? t('ui.inbox.fileKindOther') : f.kind.toUpperCase()}</span>{' '}
              {f.validationStatus && <span className={verdictClass(f.validationStatus)} title={f.validationStatus}>{t(`ui.verdict.${f.validationStatus}`)}</span>}
              {f.detectedType && f.detectedType !== f.contentType ? <span className="warn"> ({t('edxml.attachment.declared', { declared: f.contentType, detected: f.detectedType })})</span> : null}{' '}
              <AttachmentSave messageId={d.messageId} index={index} saveName={f.saveName} kind={f.kind} />
            </li>
          ))}
        </ul>
        <ErrorBanner error={error ?? show.error} />
        {login.pinDialog}
        <RecallNotice doc={d} onAnswered={() => { onChanged(); show.reload(); }} />
        {d.state === 'arrived' && (
          <div>
            <button type="button" className="primary" data-testid="inbox-accept" onClick={() => void act(() => api['exchange:inboxAccept']({ messageId: d.messageId }))}>{t('ui.inbox.accept')}</button>
            <div className="row">
              <label htmlFor="reject-reason">{t('ui.inbox.reason')}</label>
              <input id="reject-reason" type="text" value={reason} onChange={(e) => setReason(e.target.value)} data-testid="inbox-reason" />
              <button type="button" disabled={!reason.trim()} data-testid="inbox-reject" onClick={() => void act(() => api['exchange:inboxReject']({ messageId: d.messageId, reason }))}>{t('ui.inbox.reject')}</button>
            </div>
          </div>
        )}
        {d.state === 'accepted' && (
          <div className="row">
            {(['04', '05', '06'] as const).map((code) => (
              <button key={code} type="button" title={code} onClick={() => void act(() => api['exchange:inboxStatus']({ messageId: d.messageId, code }))}>{t(`ui.inbox.status.${code}`)}</button>
            ))}
          </div>
        )}
      </div>
      <div>{current && <PdfPreview key={current.path} path={current.path} testId="inbox-viewer" />}</div>
    </div>
  );
}

/** The Inbox screen. */
export function Inbox() {
  const api = useApi();
  const { t, lang } = useI18n();
  const list = useLoad((a) => a['exchange:inboxList']({ limit: 200 }), []);
  const failures = useLoad((a) => a['exchange:inboxFailures']({}), []);
  const [selected, setSelected] = useKeptState<string | null>('inbox.selected', null);
  const [syncError, setSyncError] = useState<ErrorPayload | null>(null);
  const login = useExchangeLogin();
  useEvent('exchange:inboxArrival', () => list.reload());
  useEvent('exchange:arrivalFailed', () => failures.reload());
  // Live arrivals (SSE) from the configured server; idempotent in the core, and left on when
  // the screen closes so arrivals keep coming. Without a server or login it fails quietly:
  // the Sync button then shows the reason.
  useEffect(() => {
    void api['exchange:live']({ on: true }).then((r) => r.ok && list.reload());
  }, [api]);
  const sync = async () => {
    const r = await login.run(() => api['exchange:inboxSync']({}));
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
      <div className="inbox-list">
        <table className="list selectable" data-testid="inbox-list">
          <thead><tr><th>{t('ui.doc.from')}</th><th>{t('ui.doc.numberNotation')}</th><th>{t('ui.doc.subject')}</th><th>{t('ui.send.dueDate')}</th><th>{t('ui.doc.received')}</th><th>{t('ui.doc.state')}</th></tr></thead>
          <tbody>
            {list.data?.items.map((d) => (
              <tr key={d.messageId} aria-selected={d.messageId === selected} tabIndex={0} data-testid="inbox-row"
                onClick={() => setSelected(d.messageId)} onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && setSelected(d.messageId)}>
                <td title={d.fromCode}>{d.fromName}</td>
                <td>{d.number}/{d.notation}</td>
                <td>{d.state === 'arrived' ? <strong>{d.subject}</strong> : d.subject}{d.meta.priority ? <span className="warn"> ({t(`ui.priority.${d.meta.priority}`)})</span> : null}{d.recallAt ? <span className="warn"> ({t('ui.inbox.recalledShort')})</span> : null}<SignatureMark doc={d} /></td>
                <td>{formatIsoDay(d.meta.dueDate)}</td>
                <td>{formatDateTime(d.receivedAt, lang)}</td>
                <td>{t(`ui.doc.state.${d.state}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {doc ? <Detail doc={doc} onChanged={list.reload} /> : <p className="muted">{t('ui.inbox.pick')}</p>}
      {login.pinDialog}
    </section>
  );
}
