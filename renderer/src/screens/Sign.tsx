/** Sign one PDF: pick it, preview, place the stamp (drag or saved placement), role, level, sign. */
import { useId, useState } from 'react';
import { useApi } from '../api/context.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { PathField } from '../components/PathField.js';
import { PdfPreview, parsePlacements, type Placement } from '../components/PdfPreview.js';
import { SignJob } from '../components/SignJob.js';
import { appearanceOf, SignOptionsForm, type SignChoices } from '../components/SignOptions.js';
import { useSigner } from '../components/useSigner.js';
import { useLoad } from '../hooks.js';
import { useI18n } from '../i18n.js';

/** Default output next to the input: `name.signed.pdf`. */
export function defaultOutput(input: string): string {
  return input.replace(/(\.pdf)?$/i, '.signed.pdf');
}

/** The Sign screen. */
export function Sign({ initialPaths = [] }: { initialPaths?: string[] }) {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const signer = useSigner();
  const [paths, setPaths] = useState<string[]>(initialPaths.slice(0, 1));
  const [output, setOutput] = useState('');
  const [placement, setPlacement] = useState<Placement | null>(null);
  const [choices, setChoices] = useState<SignChoices>({ role: 'approval', level: 'B-B', reason: '' });
  const [busy, setBusy] = useState(false);
  const saved = useLoad((a) => a['settings:get']({ prefix: 'ui.placements' }), []);
  const placements = parsePlacements(saved.data?.values['ui.placements']);
  const file = paths[0] ?? '';

  const sign = async () => {
    setBusy(true);
    await signer.start({
      files: [file],
      output: output || defaultOutput(file),
      overwrite: false,
      level: choices.level,
      allowFallback: false,
      ...(choices.reason ? { reason: choices.reason } : {}),
      appearance: appearanceOf(choices),
      ...(choices.role !== 'invisible' && placement ? { placement } : {}),
    });
    setBusy(false);
  };
  const savePlacement = async () => {
    if (!placement) return;
    const name = window.prompt(t('ui.sign.placementName'));
    if (!name) return;
    await api['settings:set']({ key: 'ui.placements', value: { ...placements, [name]: placement } });
    saved.reload();
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('ui.nav.sign')}</h1>
      <div className="two-col">
        <div>
          <PathField label={t('ui.sign.file')} paths={paths} onChange={(p) => { setPaths(p); setPlacement(null); }} testId="sign-file" />
          <label className="field" htmlFor={`${id}-out`}>
            {t('ui.sign.output')}
            <input id={`${id}-out`} type="text" size={70} value={output} placeholder={file ? defaultOutput(file) : ''} onChange={(e) => setOutput(e.target.value)} data-testid="sign-output" />
          </label>
          {signer.picker}
          <SignOptionsForm value={choices} onChange={setChoices} />
          {choices.role !== 'invisible' && (
            <fieldset className="card">
              <legend>{t('ui.sign.placement')}</legend>
              <p data-testid="placement-text">
                {placement ? t('ui.sign.placementAt', { page: placement.page, x: placement.rect[0], y: placement.rect[1], w: placement.rect[2], h: placement.rect[3] }) : t('ui.sign.placementNone')}
              </p>
              <div className="row">
                <label htmlFor={`${id}-saved`}>{t('ui.sign.savedPlacement')}</label>
                <select id={`${id}-saved`} value="" onChange={(e) => { const p = placements[e.target.value]; if (p) setPlacement(p); }}>
                  <option value="">—</option>
                  {Object.keys(placements).map((n) => <option key={n} value={n}>{n}</option>)}
                </select>
                <button type="button" disabled={!placement} onClick={() => void savePlacement()}>{t('ui.sign.savePlacement')}</button>
              </div>
            </fieldset>
          )}
          <ErrorBanner error={signer.error} />
          <button type="button" className="primary" disabled={!file || !signer.ready || busy} onClick={() => void sign()} data-testid="sign-start">
            {t('ui.sign.start')}
          </button>
          {signer.jobId && <SignJob key={signer.jobId} jobId={signer.jobId} files={[file]} />}
        </div>
        <div>{file.toLowerCase().endsWith('.pdf') && <PdfPreview path={file} placement={placement} onPlace={setPlacement} />}</div>
      </div>
      {signer.pinDialog}
    </section>
  );
}
