/**
 * Send: compose a package with the Decree 30 fields, pick recipients from the directory
 * (search and the province tree), attach files, send; then each recipient's status timeline.
 */
import { useId, useMemo, useState } from 'react';
import type { ErrorPayload, OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { PathField } from '../components/PathField.js';
import { useEvent, useLoad } from '../hooks.js';
import { formatDateTime, useI18n } from '../i18n.js';

type Org = OutputOf<'exchange:directory'>['organizations'][number];

/** Builds parent -> children lists of the directory (roots under the empty key). */
export function orgTree(orgs: Org[]): Map<string, Org[]> {
  const codes = new Set(orgs.map((o) => o.code));
  const tree = new Map<string, Org[]>();
  for (const o of orgs) {
    const parent = o.parent && codes.has(o.parent) ? o.parent : '';
    tree.set(parent, [...(tree.get(parent) ?? []), o]);
  }
  return tree;
}

/** Recipient picker: a search box over the directory and the tree with checkboxes. */
function Recipients({ value, onChange }: { value: string[]; onChange(v: string[]): void }) {
  const { t } = useI18n();
  const [refresh, setRefresh] = useState(0);
  // The first load uses the cached directory; "Refresh" fetches it from the server again.
  const dir = useLoad((a) => a['exchange:directory']({ refresh: refresh > 0 }), [refresh]);
  const [query, setQuery] = useState('');
  const orgs = dir.data?.organizations ?? [];
  const tree = useMemo(() => orgTree(orgs), [orgs]);
  const toggle = (code: string) => onChange(value.includes(code) ? value.filter((c) => c !== code) : [...value, code]);
  const q = query.trim().toLowerCase();
  const matches = q ? orgs.filter((o) => o.name.toLowerCase().includes(q) || o.code.toLowerCase().includes(q)).slice(0, 50) : [];
  const item = (o: Org) => (
    <label>
      <input type="checkbox" checked={value.includes(o.code)} onChange={() => toggle(o.code)} data-testid={`org-${o.code}`} /> {o.name} <span className="muted">({o.code})</span>
      {o.outside ? <> <span className="badge" title={t('ui.send.outsideHint')} data-testid={`outside-${o.code}`}>{t('ui.send.outside')}</span></> : null}
    </label>
  );
  const branch = (parent: string, depth: number): React.ReactNode => {
    const kids = tree.get(parent);
    if (!kids || depth > 8) return null;
    return (
      <ul role={depth === 0 ? 'tree' : 'group'}>
        {kids.map((o) => (
          <li key={o.code} role="treeitem" aria-selected={value.includes(o.code)}>
            {tree.has(o.code) ? (
              <details open={depth === 0}>
                <summary>{item(o)}</summary>
                {branch(o.code, depth + 1)}
              </details>
            ) : item(o)}
          </li>
        ))}
      </ul>
    );
  };
  return (
    <fieldset className="card">
      <legend>{t('ui.send.recipients')} ({value.length})</legend>
      <div className="row">
        <button type="button" onClick={() => setRefresh((n) => n + 1)} data-testid="directory-refresh">{t('ui.refresh')}</button>
        <label htmlFor="org-search">{t('ui.send.search')}</label>
        <input id="org-search" type="text" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="org-search" />
      </div>
      <ErrorBanner error={dir.error} />
      {q ? <ul>{matches.map((o) => <li key={o.code}>{item(o)}</li>)}</ul> : <div className="tree">{branch('', 0)}</div>}
    </fieldset>
  );
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
function Timeline({ messageId }: { messageId: string }) {
  const api = useApi();
  const { t, lang } = useI18n();
  const [syncError, setSyncError] = useState<ErrorPayload | null>(null);
  const sync = async () => {
    const r = await api['exchange:inboxSync']({});
    setSyncError(r.ok ? null : r.error);
    doc.reload();
  };
  const doc = useLoad((a) => a['exchange:outgoingShow']({ messageId }), [messageId]);
  useEvent('exchange:status', (p) => p.messageId === messageId && doc.reload());
  useEvent('exchange:outboxProgress', (p) => p.messageId === messageId && doc.reload());
  const d = doc.data?.doc;
  if (!d) return <ErrorBanner error={doc.error} />;
  return (
    <div className="card" data-testid="send-timeline">
      <h2>{d.subject}</h2>
      <button type="button" onClick={() => void sync()} data-testid="send-sync">{t('ui.send.updateStatus')}</button>
      <ErrorBanner error={syncError} />
      <p>{t('ui.send.delivery')}: <strong data-testid="send-delivery">{d.delivery ? t(`ui.send.delivery.${d.delivery}`) : '—'}</strong>{d.lastError ? ` — ${d.lastError}` : ''}</p>
      <table className="list">
        <thead><tr><th>{t('ui.send.recipient')}</th><th>{t('ui.send.status')}</th><th>{t('ui.send.at')}</th></tr></thead>
        <tbody>
          {d.recipients.map((r) => {
            const s = d.latest[r];
            return (
              <tr key={r} data-testid="send-recipient">
                <td>{r}</td>
                <td data-status={s?.statusCode ?? ''}>{s ? `${s.statusCode} ${t(`ui.status.${s.statusCode}`)}${s.description ? ` — ${s.description}` : ''}` : t('ui.send.noStatus')}</td>
                <td>{s ? formatDateTime(s.at, lang) : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <RecallForm messageId={messageId} onDone={() => doc.reload()} />
      <details>
        <summary>{t('ui.send.timeline')}</summary>
        <ol>{d.timeline.map((e, i) => <li key={i}>{formatDateTime(e.at, lang)} · {e.orgCode} · {e.statusCode} {t(`ui.status.${e.statusCode}`)}</li>)}</ol>
      </details>
    </div>
  );
}

/** The Send screen. */
export function Send() {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const [form, setForm] = useState({ subject: '', number: '', notation: '', type: 'Công văn' });
  const [to, setTo] = useState<string[]>([]);
  const [files, setFiles] = useState<string[]>([]);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = (k: keyof typeof form, key: string) => (
    <label className="field" htmlFor={`${id}-${k}`}>
      {t(key)}
      <input id={`${id}-${k}`} type="text" value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} data-testid={`send-${k}`} required />
    </label>
  );
  const send = async () => {
    setBusy(true);
    const r = await api['exchange:send']({ ...form, to, files });
    setBusy(false);
    if (r.ok) {
      setSent(r.value.messageId);
      setError(null);
    } else setError(r.error);
  };
  const ready = form.subject && form.number && form.notation && form.type && to.length && files.length;
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('ui.nav.send')}</h1>
      <div className="split">
        <div>
          {field('subject', 'ui.doc.subject')}
          <div className="row">{field('number', 'ui.doc.number')}{field('notation', 'ui.doc.notation')}{field('type', 'ui.doc.type')}</div>
          <PathField label={t('ui.send.files')} paths={files} onChange={setFiles} multiple pdfOnly={false} testId="send-files" />
          <ErrorBanner error={error} />
          <button type="button" className="primary" disabled={!ready || busy} onClick={() => void send()} data-testid="send-start">{t('ui.send.send')}</button>
          {sent && <Timeline messageId={sent} />}
        </div>
        <Recipients value={to} onChange={setTo} />
      </div>
    </section>
  );
}
