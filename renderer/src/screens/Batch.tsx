/** Batch signing: many files or a folder, one PIN, per-file progress, cancel, retry failed. */
import { useId, useState } from 'react';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { PathField } from '../components/PathField.js';
import { SignJob } from '../components/SignJob.js';
import { appearanceOf, levelOf, SignOptionsForm, type SignChoices } from '../components/SignOptions.js';
import { useSigner } from '../components/useSigner.js';
import { useI18n } from '../i18n.js';

/** The Batch screen. */
export function Batch() {
  const { t } = useI18n();
  const id = useId();
  const signer = useSigner();
  const [files, setFiles] = useState<string[]>([]);
  const [outDir, setOutDir] = useState<string[]>([]);
  const [choices, setChoices] = useState<SignChoices>({ role: 'invisible', level: 'B-B', reason: '' });
  const [jobFiles, setJobFiles] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  const run = async (list: string[]) => {
    if (!outDir[0]) return;
    setBusy(true);
    setJobFiles(list);
    await signer.start({
      files: list,
      outDir: outDir[0],
      overwrite: false,
      ...levelOf(choices),
      allowFallback: false,
      ...(choices.reason ? { reason: choices.reason } : {}),
      appearance: appearanceOf(choices),
    });
    setBusy(false);
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('ui.nav.batch')}</h1>
      <PathField label={t('ui.batch.files')} paths={files} onChange={setFiles} multiple testId="batch-files" />
      <PathField label={t('ui.batch.outDir')} paths={outDir} onChange={setOutDir} directory pdfOnly={false} testId="batch-outdir" />
      {signer.picker}
      <SignOptionsForm value={choices} onChange={setChoices} />
      <ErrorBanner error={signer.error} />
      <p className="muted">{t('ui.batch.count', { count: files.length })}</p>
      <button type="button" className="primary" disabled={!files.length || !outDir[0] || !signer.ready || busy} onClick={() => void run(files)} data-testid="batch-start">
        {t(signer.pinNeeded ? 'ui.batch.start' : 'ui.batch.startNoPin')}
      </button>
      {signer.jobId && <SignJob key={signer.jobId} jobId={signer.jobId} files={jobFiles} onRetry={(failed) => void run(failed)} />}
      {signer.pinDialog}
    </section>
  );
}
