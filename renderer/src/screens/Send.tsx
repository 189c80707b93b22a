/**
 * Send: a document with its Decree 30 metadata (type from the official list and the notation
 * it suggests, number, issue date, signer and position, urgency, secrecy, reply-by date), the
 * recipients from the directory, the files; a summary to check before it goes; then each
 * recipient's statuses by name.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { DOCUMENT_TYPES, notationFor } from '../../../main/api/doc-types.js';
import type { ErrorPayload, InputOf, OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { OrgName } from '../components/OrgName.js';
import { PathField } from '../components/PathField.js';
import { RecipientPicker } from '../components/RecipientPicker.js';
import { SendTimeline } from '../components/SendTimeline.js';
import { useExchangeLogin } from '../components/useExchangeLogin.js';
import { useLoad } from '../hooks.js';
import { formatIsoDay, useI18n } from '../i18n.js';
import { useKeptState } from '../state.js';

export { orgTree } from '../components/RecipientPicker.js';

type Secrecy = NonNullable<InputOf<'exchange:send'>['secrecy']>;
const secrecies: Secrecy[] = ['normal', 'confidential', 'secret', 'topSecret'];
const priorities = [0, 1, 2, 3, 4] as const;

/** The Send form. */
export interface SendForm {
  subject: string;
  type: string;
  number: string;
  notation: string;
  /** The notation was typed by the user (not suggested from the type). */
  notationTyped: boolean;
  issueDate: string;
  signerName: string;
  signerPosition: string;
  priority: number;
  secrecy: Secrecy;
  dueDate: string;
}

/** Today in Vietnam time as yyyy-mm-dd (the date input's value). */
export function todayIso(now = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

const emptyForm = (): SendForm => ({ subject: '', type: 'Công văn', number: '', notation: '', notationTyped: false, issueDate: todayIso(), signerName: '', signerPosition: '', priority: 0, secrecy: 'normal', dueDate: '' });

/** The send:exchange input from the form. */
export function sendInput(f: SendForm, to: string[], files: string[]): InputOf<'exchange:send'> {
  return {
    to, files, subject: f.subject.trim(), type: f.type, number: f.number.trim(), notation: f.notation.trim(),
    ...(f.issueDate ? { issueDate: f.issueDate } : {}), ...(f.signerName.trim() ? { signerName: f.signerName.trim() } : {}),
    ...(f.signerPosition.trim() ? { signerPosition: f.signerPosition.trim() } : {}), priority: f.priority, secrecy: f.secrecy, ...(f.dueDate ? { dueDate: f.dueDate } : {}),
  };
}

/** The Send screen. */
export function Send() {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const [form, setForm] = useKeptState<SendForm>('send.form', emptyForm);
  const [to, setTo] = useKeptState<string[]>('send.to', []);
  const [files, setFiles] = useKeptState<string[]>('send.files', []);
  const [sent, setSent] = useKeptState<string | null>('send.sent', null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [review, setReview] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  const login = useExchangeLogin();
  const abbr = useLoad((a) => a['settings:get']({ prefix: 'exchange.orgAbbreviation' }), []);
  const body = typeof abbr.data?.values['exchange.orgAbbreviation'] === 'string' ? (abbr.data.values['exchange.orgAbbreviation'] as string) : '';

  // The notation follows the type until the user types one ("QĐ-UBND", "UBND" for a công văn).
  useEffect(() => {
    if (!form.notationTyped) setForm((f) => ({ ...f, notation: notationFor(f.type, body) }));
  }, [form.type, body]);

  const set = <K extends keyof SendForm>(k: K, v: SendForm[K]) => setForm((f) => ({ ...f, [k]: v, ...(k === 'notation' ? { notationTyped: true } : {}) }));
  const text = (k: 'subject' | 'number' | 'notation' | 'signerName' | 'signerPosition', key: string, required = false) => (
    <label className="field" htmlFor={`${id}-${k}`}>
      {t(key)}
      <input id={`${id}-${k}`} type="text" value={form[k]} onChange={(e) => set(k, e.target.value)} data-testid={`send-${k}`} required={required} />
    </label>
  );
  const date = (k: 'issueDate' | 'dueDate', key: string) => (
    <label className="field" htmlFor={`${id}-${k}`}>
      {t(key)}
      <input id={`${id}-${k}`} type="date" value={form[k]} onChange={(e) => set(k, e.target.value)} data-testid={`send-${k}`} />
    </label>
  );
  const send = async () => {
    setBusy(true);
    // The previous document's statuses give way to this one's.
    setSent(null);
    // The package is signed with the connecting certificate: a logged-out token asks its PIN, then sends.
    const r = await login.run(() => api['exchange:send'](sendInput(form, to, files)));
    setBusy(false);
    if (r.ok) {
      setSent(r.value.messageId);
      setError(null);
      setReview(false);
    } else setError(r.error);
  };
  const ready = Boolean(form.subject.trim() && form.number.trim() && form.notation.trim() && form.type && to.length && files.length);
  const secret = form.secrecy !== 'normal';
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('ui.nav.send')}</h1>
      <div className="split">
        <div>
          {text('subject', 'ui.doc.subject', true)}
          <div className="row">
            <label className="field" htmlFor={`${id}-type`}>
              {t('ui.doc.type')}
              <select id={`${id}-type`} value={form.type} onChange={(e) => set('type', e.target.value)} data-testid="send-type">
                {DOCUMENT_TYPES.map((d) => <option key={d.name} value={d.name}>{d.name}{d.code ? ` (${d.code})` : ''}</option>)}
              </select>
            </label>
            {text('number', 'ui.doc.number', true)}
            {text('notation', 'ui.doc.notation', true)}
          </div>
          <div className="row">
            {date('issueDate', 'ui.send.issueDate')}
            {text('signerName', 'ui.send.signerName')}
            {text('signerPosition', 'ui.send.signerPosition')}
          </div>
          <div className="row">
            <label className="field" htmlFor={`${id}-prio`}>
              {t('ui.send.priority')}
              <select id={`${id}-prio`} value={form.priority} onChange={(e) => set('priority', Number(e.target.value))} data-testid="send-priority">
                {priorities.map((p) => <option key={p} value={p}>{t(`ui.priority.${p}`)}</option>)}
              </select>
            </label>
            <label className="field" htmlFor={`${id}-secrecy`}>
              {t('ui.send.secrecy')}
              <select id={`${id}-secrecy`} value={form.secrecy} onChange={(e) => set('secrecy', e.target.value as Secrecy)} data-testid="send-secrecy">
                {secrecies.map((s) => <option key={s} value={s}>{t(`ui.secrecy.${s}`)}</option>)}
              </select>
            </label>
            {date('dueDate', 'ui.send.dueDate')}
          </div>
          {secret && <p className="warn" role="alert" data-testid="send-secret-warning">{t('error.exSecretNotSent')}</p>}
          <PathField label={t('ui.send.files')} paths={files} onChange={setFiles} multiple pdfOnly={false} testId="send-files" />
          <ErrorBanner error={error} />
          {!review ? (
            <button type="button" className="primary" disabled={!ready || busy || secret} onClick={() => { setReview(true); setError(null); }} data-testid="send-start">{t('ui.send.send')}</button>
          ) : (
            <SendSummary form={form} to={to} files={files} names={names} busy={busy} onConfirm={() => void send()} onBack={() => setReview(false)} />
          )}
          {sent && <SendTimeline key={sent} messageId={sent} />}
          {login.pinDialog}
        </div>
        <RecipientPicker value={to} onChange={(v) => { setTo(v); setReview(false); }} onDirectory={(d) => setNames(Object.fromEntries(d.organizations.map((o) => [o.code, o.name])))} />
      </div>
    </section>
  );
}

/** What is about to be sent, to check before it goes. */
function SendSummary({ form, to, files, names, busy, onConfirm, onBack }: { form: SendForm; to: string[]; files: string[]; names: Record<string, string>; busy: boolean; onConfirm(): void; onBack(): void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  // The summary opens under the form: bring it where the user is looking (1366x768 screens).
  // (A block body: Chromium's scrollIntoView may return a promise, which React would take for a cleanup.)
  useEffect(() => {
    void ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, []);
  return (
    <div ref={ref} className="card" role="dialog" aria-labelledby="send-summary-title" data-testid="send-summary">
      <h2 id="send-summary-title">{t('ui.send.summaryTitle', { count: to.length })}</h2>
      <ul data-testid="send-summary-recipients">{to.map((c) => <li key={c}><OrgName code={c} names={names} /></li>)}</ul>
      <dl className="facts">
        <dt>{t('ui.doc.numberNotation')}</dt><dd>{form.number}/{form.notation} · {form.type}</dd>
        <dt>{t('ui.doc.subject')}</dt><dd>{form.subject}</dd>
        <dt>{t('ui.send.issueDate')}</dt><dd>{formatIsoDay(form.issueDate)}</dd>
        {form.signerName && <><dt>{t('ui.send.signerName')}</dt><dd>{form.signerName}{form.signerPosition ? `, ${form.signerPosition}` : ''}</dd></>}
        <dt>{t('ui.send.priority')}</dt><dd>{t(`ui.priority.${form.priority}`)}</dd>
        <dt>{t('ui.send.secrecy')}</dt><dd>{t(`ui.secrecy.${form.secrecy}`)}</dd>
        {form.dueDate && <><dt>{t('ui.send.dueDate')}</dt><dd>{formatIsoDay(form.dueDate)}</dd></>}
        <dt>{t('ui.doc.files')}</dt><dd>{files.map((f) => f.split(/[\\/]/).pop()).join(', ')}</dd>
      </dl>
      <div className="row">
        <button type="button" className="primary" disabled={busy} onClick={onConfirm} data-testid="send-confirm">{t('ui.send.confirm')}</button>
        <button type="button" onClick={onBack} data-testid="send-back">{t('ui.send.back')}</button>
      </div>
    </div>
  );
}

/** The directory as the summary and statuses use it. */
export type Directory = OutputOf<'exchange:directory'>;
