/**
 * Batch signing: many files or a folder, one PIN, per-file progress, cancel, retry failed.
 * A visible stamp too (the seal on every letter's signature, under a title, or a saved
 * placement), shown on the first file before signing.
 */
import { useId, useState } from 'react';
import { AppearancePreview } from '../components/AppearancePreview.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { PathField } from '../components/PathField.js';
import { PdfPreview, type Placement } from '../components/PdfPreview.js';
import { PlacementPicker, placementOf, placementReady, type PlacementChoice } from '../components/PlacementPicker.js';
import { SignJob } from '../components/SignJob.js';
import { appearanceOf, levelOf, SignOptionsForm, type SignChoices } from '../components/SignOptions.js';
import { useAppearanceLayout } from '../components/useAppearanceLayout.js';
import { useSigner } from '../components/useSigner.js';
import { useI18n } from '../i18n.js';
import { useKeptState } from '../state.js';
import { certNames } from './Sign.js';

/** The Batch screen. */
export function Batch() {
  const { t } = useI18n();
  const id = useId();
  const [files, setFiles] = useKeptState<string[]>('batch.files', []);
  const [outDir, setOutDir] = useKeptState<string[]>('batch.outDir', []);
  const [choices, setChoices] = useKeptState<SignChoices>('batch.choices', { role: 'issuing', level: 'B-B', reason: '' });
  const [place, setPlace] = useKeptState<PlacementChoice>('batch.placement', { mode: 'auto', anchor: '', rect: null });
  const [jobFiles, setJobFiles] = useKeptState<string[]>('batch.jobFiles', []);
  const [dragging, setDragging] = useState<Placement | null>(null);
  const [busy, setBusy] = useState(false);
  const signer = useSigner('batch', choices.role);
  const appearance = appearanceOf(choices, certNames(signer.cert?.subject));
  const visible = choices.role !== 'invisible';
  const placement = dragging ? { page: dragging.page, rect: dragging.rect } : placementOf(place);
  const first = files.find((f) => f.toLowerCase().endsWith('.pdf')) ?? '';
  const { layout, error: layoutError } = useAppearanceLayout(first && visible && (dragging || placementReady(place)) ? { file: first, appearance, ...(placement ? { placement } : {}) } : null);

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
      appearance,
      ...(visible && placement ? { placement } : {}),
    });
    setBusy(false);
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('ui.nav.batch')}</h1>
      <div className="two-col">
        <div>
          <PathField label={t('ui.batch.files')} paths={files} onChange={setFiles} multiple testId="batch-files" />
          <PathField label={t('ui.batch.outDir')} paths={outDir} onChange={setOutDir} directory pdfOnly={false} testId="batch-outdir" />
          <SignOptionsForm value={choices} onChange={setChoices} />
          {signer.picker}
          {visible && <PlacementPicker value={place} onChange={setPlace} role={choices.role} />}
          {layout?.warnings.map((w) => <p key={w.code} className="warn" role="status" data-testid="layout-warning">{w.message}</p>)}
          <ErrorBanner error={signer.error ?? (first ? layoutError : null)} />
          <p className="muted" data-testid="batch-count">{t('ui.batch.count', { count: files.length })}</p>
          <button type="button" className="primary" disabled={!files.length || !outDir[0] || !signer.ready || busy || (visible && !placementReady(place))} onClick={() => void run(files)} data-testid="batch-start">
            {t(signer.pinNeeded ? 'ui.batch.start' : 'ui.batch.startNoPin')}
          </button>
          {signer.jobId && <SignJob key={signer.jobId} jobId={signer.jobId} files={jobFiles} onRetry={(failed) => void run(failed)} />}
        </div>
        <div>
          {first && visible && (
            <>
              <p className="muted" data-testid="batch-preview-of">{t('ui.batch.previewOf', { file: first.split(/[\\/]/).pop() ?? first })}</p>
              <PdfPreview path={first} placement={place.mode === 'drag' ? place.rect : null} showPage={layout?.page} reveal={layout?.box ?? null} testId="batch-preview"
                onPlace={(p) => setPlace((o) => ({ ...o, mode: 'drag', rect: p }))} onDrag={setDragging}
                overlay={({ page, scale }) => layout && layout.page === page ? <AppearancePreview layout={layout} scale={scale} images={{ signature: appearance.image, seal: appearance.sealImage }} /> : null} />
            </>
          )}
        </div>
      </div>
      {signer.pinDialog}
    </section>
  );
}
