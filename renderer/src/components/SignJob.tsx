/** Progress of a signing job: overall bar, per-file stage, cancel; results with open/show. */
import { useState } from 'react';
import type { EventPayload } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useEvent } from '../hooks.js';
import { useI18n } from '../i18n.js';

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
  const { t } = useI18n();
  const [stages, setStages] = useState<Record<string, Stage>>({});
  const [done, setDone] = useState(0);
  const [total, setTotal] = useState(files.length);
  const [result, setResult] = useState<Done | null>(null);
  const [cancelling, setCancelling] = useState(false);

  useEvent('sign:progress', (p) => {
    if (p.jobId !== jobId) return;
    setStages((s) => ({ ...s, [p.file]: p.stage }));
    setDone(p.done);
    setTotal(p.total);
  });
  useEvent('sign:done', (p) => {
    if (p.jobId === jobId) setResult(p);
  });

  const cancel = async () => {
    setCancelling(true);
    await api['sign:cancel']({ jobId });
  };
  const failed = result?.results.filter((r) => r.status === 'failed' || r.status === 'cancelled').map((r) => r.input) ?? [];
  const signed = result?.results.filter((r) => r.status === 'signed').length ?? 0;

  return (
    <section className="card" aria-live="polite" data-testid="sign-job">
      <h2>{result ? t(result.cancelled ? 'ui.job.cancelled' : 'ui.job.finished') : t('ui.job.running')}</h2>
      <progress max={total} value={result ? total : done} aria-label={t('ui.job.progress')} data-testid="job-progress" />
      <p data-testid="job-count">{t('ui.job.count', { done: result ? signed : done, total })}</p>
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
                  {r?.error ? ` — ${r.error.message}` : ''}
                  {r?.warnings.map((w) => <div key={w} className="warn">{w}</div>)}
                </td>
                <td>
                  {r?.output && (
                    <span className="row">
                      <button type="button" onClick={() => void api['shell:openPath']({ path: r.output! })}>{t('ui.job.open')}</button>
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
        <p data-testid="job-summary">
          {t('ui.job.summary', { signed, failed: failed.length, total: result.results.length })}{' '}
          {onRetry && failed.length > 0 && <button type="button" onClick={() => onRetry(failed)} data-testid="job-retry">{t('ui.job.retry')}</button>}
        </p>
      )}
    </section>
  );
}
