/** Registers: outgoing and incoming, paged from SQLite as you scroll, search, year filter, export. */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ErrorPayload, OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { SignatureMark } from '../components/PackageSignature.js';
import { VirtualList } from '../components/VirtualList.js';
import { formatDateTime, useI18n } from '../i18n.js';

type Lists = OutputOf<'exchange:registerList'>;
type Row = Lists['incoming'][number] | Lists['outgoing'][number];
type Kind = 'incoming' | 'outgoing';
const pageSize = 1000;

/** The Registers screen. */
export function Registers() {
  const api = useApi();
  const { t, lang } = useI18n();
  const id = useId();
  const [kind, setKind] = useState<Kind>('incoming');
  const [year, setYear] = useState('');
  const [query, setQuery] = useState('');
  const [rows, setRows] = useState<Row[]>([]);
  const [end, setEnd] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const loading = useRef(false);
  const y = year ? Number(year) : undefined;

  const loadMore = useCallback(async (reset: boolean) => {
    if (loading.current || (!reset && end) || query.trim()) return;
    loading.current = true;
    const offset = reset ? 0 : rows.length;
    const r = await api['exchange:registerList']({ register: kind, limit: pageSize, offset, ...(y ? { year: y } : {}) });
    loading.current = false;
    if (!r.ok) return setError(r.error);
    const got: Row[] = kind === 'incoming' ? r.value.incoming : r.value.outgoing;
    setRows((prev) => (reset ? got : [...prev, ...got]));
    setEnd(got.length < pageSize);
  }, [api, kind, y, rows.length, end, query]);

  useEffect(() => {
    setRows([]);
    setEnd(false);
    const q = query.trim();
    if (!q) {
      void loadMore(true);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      void api['exchange:registerSearch']({ query: q, register: kind, limit: 500 }).then((r) => {
        if (!live) return;
        if (!r.ok) return setError(r.error);
        setRows(kind === 'incoming' ? r.value.incoming : r.value.outgoing);
        setEnd(true);
      });
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // loadMore changes with rows; a reset only follows the filters.
  }, [api, kind, y, query]);

  const exportCsv = async () => {
    const d = await api['dialog:saveFile']({ defaultPath: `so-van-ban-${kind === 'incoming' ? 'den' : 'di'}.csv`, filters: [{ name: 'CSV', extensions: ['csv'] }] });
    const target = d.ok && d.value.path ? d.value.path : d.ok && !d.value.native ? window.prompt(t('ui.registers.exportPath')) : null;
    if (!target) return;
    const r = await api['exchange:registerExport']({ register: kind, path: target, ...(y ? { year: y } : {}) });
    if (r.ok) setExported(t('ui.registers.exported', { rows: r.value.rows, path: r.value.path }));
    else setError(r.error);
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('ui.nav.registers')}</h1>
      <div className="row">
        <div role="tablist" aria-label={t('ui.registers.kind')}>
          {(['incoming', 'outgoing'] as const).map((k) => (
            <button key={k} type="button" role="tab" aria-selected={kind === k} className={kind === k ? 'primary' : undefined} onClick={() => setKind(k)} data-testid={`register-${k}`}>
              {t(`ui.registers.${k}`)}
            </button>
          ))}
        </div>
        <label htmlFor={`${id}-q`}>{t('ui.send.search')}</label>
        <input id={`${id}-q`} type="search" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="register-search" />
        <label htmlFor={`${id}-y`}>{t('ui.registers.year')}</label>
        <input id={`${id}-y`} type="number" min={2000} max={2100} value={year} onChange={(e) => setYear(e.target.value)} style={{ width: 90 }} />
        <button type="button" onClick={() => void exportCsv()}>{t('ui.registers.export')}</button>
      </div>
      <ErrorBanner error={error} />
      {exported && <p role="status" className="ok">{exported}</p>}
      <p className="muted" data-testid="register-count">{t('ui.registers.count', { count: rows.length })}{end ? '' : '+'}</p>
      <div className="vhead" role="presentation">
        <span>{kind === 'incoming' ? t('ui.registers.arrivalNo') : t('ui.doc.number')}</span>
        <span>{t('ui.doc.numberNotation')}</span><span>{t('ui.doc.subject')}</span>
        <span>{kind === 'incoming' ? t('ui.doc.from') : t('ui.send.recipients')}</span><span>{t('ui.send.at')}</span>
      </div>
      <VirtualList items={rows} label={t(`ui.registers.${kind}`)} testId="register-list" onNearEnd={() => void loadMore(false)}
        render={(r) => 'fromName' in r ? (
          <>
            <span>{r.arrivalNumber ?? '—'}</span><span>{r.number}/{r.notation}</span><span title={r.subject}>{r.subject}<SignatureMark doc={r} /></span>
            <span title={r.fromCode}>{r.fromName}</span><span>{formatDateTime(r.receivedAt, lang)}</span>
          </>
        ) : (
          <>
            <span>{r.number}</span><span>{r.number}/{r.notation}</span><span title={r.subject}>{r.subject}</span>
            <span data-testid="outgoing-status" title={r.recipients.map((c) => `${c}${r.latest[c] ? ` ${r.latest[c]!.statusCode}` : ''}`).join(', ')}>
              {r.recipients.map((c) => { const code = r.latest[c]?.statusCode; return `${r.recipientNames[c] ?? c}: ${code ? t(`ui.status.${code}`) : '—'}`; }).join('; ')}
            </span>
            <span>{formatDateTime(r.sentAt ?? r.createdAt, lang)}</span>
          </>
        )} />
    </section>
  );
}
