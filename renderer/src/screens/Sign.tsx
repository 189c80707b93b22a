/** Sign one PDF: pick it, preview, place the stamp (drag or saved placement), role, level, sign. */
import { useId, useState } from 'react';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { DocPassword, needsPassword } from '../components/DocPassword.js';
import { useEvent } from '../hooks.js';
import { PathField } from '../components/PathField.js';
import { PdfPreview, type Placement } from '../components/PdfPreview.js';
import { PlacementPicker } from '../components/PlacementPicker.js';
import { SignJob } from '../components/SignJob.js';
import { appearanceOf, levelOf, SignOptionsForm, type SignChoices } from '../components/SignOptions.js';
import { useSigner } from '../components/useSigner.js';
import { useI18n } from '../i18n.js';

/** Default output next to the input: `name.signed.pdf`. */
export function defaultOutput(input: string): string {
  return input.replace(/(\.pdf)?$/i, '.signed.pdf');
}

/** The Sign screen. */
export function Sign({ initialPaths = [] }: { initialPaths?: string[] }) {
  const { t } = useI18n();
  const id = useId();
  const signer = useSigner();
  const [paths, setPaths] = useState<string[]>(initialPaths.slice(0, 1));
  const [output, setOutput] = useState('');
  const [placement, setPlacement] = useState<Placement | null>(null);
  const [choices, setChoices] = useState<SignChoices>({ role: 'approval', level: 'B-B', reason: '' });
  const [busy, setBusy] = useState(false);
  const [password, setPassword] = useState<string | undefined>(undefined);
  const [askPassword, setAskPassword] = useState(false);
  const file = paths[0] ?? '';
  useEvent('sign:done', (p) => {
    if (p.jobId === signer.jobId) setAskPassword(p.results.some((r) => needsPassword(r.error?.code)));
  });

  const sign = async (pw = password) => {
    setBusy(true);
    await signer.start({
      files: [file],
      output: output || defaultOutput(file),
      overwrite: false,
      ...levelOf(choices),
      allowFallback: false,
      ...(choices.reason ? { reason: choices.reason } : {}),
      appearance: appearanceOf(choices),
      ...(choices.role !== 'invisible' && placement ? { placement } : {}),
      ...(pw !== undefined ? { password: pw } : {}),
    });
    setBusy(false);
  };
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('ui.nav.sign')}</h1>
      <div className="two-col">
        <div>
          <PathField label={t('ui.sign.file')} paths={paths} onChange={(p) => { setPaths(p); setPlacement(null); setPassword(undefined); setAskPassword(false); }} testId="sign-file" />
          <label className="field" htmlFor={`${id}-out`}>
            {t('ui.sign.output')}
            <input id={`${id}-out`} type="text" size={70} value={output} placeholder={file ? defaultOutput(file) : ''} onChange={(e) => setOutput(e.target.value)} data-testid="sign-output" />
          </label>
          {signer.picker}
          <SignOptionsForm value={choices} onChange={setChoices} />
          {choices.role !== 'invisible' && <PlacementPicker placement={placement} onChange={setPlacement} />}
          <ErrorBanner error={signer.error} />
          <button type="button" className="primary" disabled={!file || !signer.ready || busy} onClick={() => void sign()} data-testid="sign-start">
            {t('ui.sign.start')}
          </button>
          {signer.jobId && <SignJob key={signer.jobId} jobId={signer.jobId} files={[file]} />}
          {/* An encrypted input that needs its password (the job's result says so): sign again with it. */}
          {askPassword && <DocPassword onSubmit={(pw) => { setPassword(pw); setAskPassword(false); void sign(pw); }} testId="sign-password" />}
        </div>
        <div>{file.toLowerCase().endsWith('.pdf') && <PdfPreview path={file} placement={placement} onPlace={setPlacement} />}</div>
      </div>
      {signer.pinDialog}
    </section>
  );
}
