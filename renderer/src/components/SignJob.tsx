/**
 * Progress of a signing job: overall bar, per-file stage, cancel; then an honest summary (how
 * many were signed, failed, not started), "Open" only for files that were written, and the
 * result brought into view.
 */
import { useEffect, useRef, useState } from 'react';
import type { EventPayload } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { formatSize } from '../format.js';
import { useEvent } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { jobTitleKey } from '../jobResult.js';

export { jobTitleKey } from '../jobResult.js';

type Done = EventPayload<'sign:done'>;
type Stage = EventPayload<'sign:progress'>['stage'];

/** Props of SignJob. */
export interface SignJobProps {
  jobId: string;
  files: string[];
  onRetry?(failed: string[]): void;
}

/** Base name of a path on any OS. */
export const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p;

/** Live view of one job. */
export function SignJob({ jobId, files, onRetry }: SignJobProps) {
  const api = useApi();
  const { t, lang } = useI18n();
  const [stages, setStages] = useState<Record<string, Stage>>({});
  const [done, setDone] = useState(0);
  const [total, setTotal] = useState(files.length);
  const [result, setResult] = useState<Done | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const ref = useRef<HTMLElement>(null);

  useEvent('sign:progress', (p) => {
    if (p.jobId !== jobId) return;
    setStages((s) => ({ ...s, [p.file]: p.stage }));
    setDone(p.done);
    setTotal(p.total);
  });
  useEvent('sign:done', (p) => {
    if (p.jobId === jobId) setResult(p);
  });
  // The result appears where the user is looking.
  useEffect(() => {
    if (result) ref.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [result]);

  const cancel = async () => {
    setCancelling(true);
    await api['sign:cancel']({ jobId });
  };
  const written = (s: string) => s === 'signed' || s === 'skipped';
  const failed = result?.results.filter((r) => !written(r.status)).map((r) => r.input) ?? [];
  const signed = result?.results.filter((r) => written(r.status)).length ?? 0;
  const count = result ? result.results.length : total;

  return (
    <section className="card" aria-live="polite" data-testid="sign-job" ref={ref}>
      <h2 data-testid="job-title">{result ? t(jobTitleKey(result), { signed, total: count }) : t('ui.job.running')}</h2>
      <progress max={count} value={result ? signed : done} aria-label={t('ui.job.progress')} data-testid="job-progress" />
      <p data-testid="job-count">{t('ui.job.count', { done: result ? signed : done, total: count })}</p>
      {!result && <button type="button" onClick={() => void cancel()} disabled={cancelling} data-testid="job-cancel">{t('ui.cancel')}</button>}
      <table className="list">
        <thead><tr><th>{t('ui.job.file')}</th><th>{t('ui.job.status')}</th><th /></tr></thead>
        <tbody>
          {(result ? result.results.map((r) => r.input) : files).map((f) => {
            const r = result?.results.find((x) => x.input === f);
            const status = r ? r.status : stages[f] ?? 'queued';
            return (
              <tr key={f} data-testid="job-row">
                <td title={f}>{baseName(f)}</td>
                <td className={`status-${status}`} data-status={status}>
                  {t(`ui.job.stage.${status}`)}
                  {r?.level ? ` (${r.level})` : ''}
                  {r?.size !== undefined ? ` · ${formatSize(r.size, lang)}` : ''}
                  {r?.error ? <div className="bad">{r.error.message}</div> : null}
                  {r?.warnings.map((w) => <div key={w} className="warn">{w}</div>)}
                </td>
                <td>
                  {r?.output && written(r.status) && (
                    <span className="row">
                      <button type="button" onClick={() => void api['shell:openPath']({ path: r.output! })} data-testid="job-open">{t('ui.job.open')}</button>
                      <button type="button" onClick={() => void api['shell:showItemInFolder']({ path: r.output! })}>{t('ui.job.showInFolder')}</button>
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {result && (
        <p data-testid="job-summary" className={failed.length ? 'warn' : 'ok'}>
          {t('ui.job.summary', { signed, failed: failed.length, total: result.results.length })}{' '}
          {onRetry && failed.length > 0 && <button type="button" onClick={() => onRetry(failed)} data-testid="job-retry">{t('ui.job.retry')}</button>}
        </p>
      )}
    </section>
  );
}
