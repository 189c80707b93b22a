/**
 * Sign one PDF: pick it, choose the role (the certificate that fits it is picked), place the
 * stamp (automatically, under the signer's title, by dragging, or a saved placement) while the
 * preview shows the real appearance, then sign.
 */
import { useEffect, useId, useState } from 'react';
import { AppearancePreview } from '../components/AppearancePreview.js';
import { DocPassword, needsPassword } from '../components/DocPassword.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { PathField } from '../components/PathField.js';
import { PdfPreview, type Placement } from '../components/PdfPreview.js';
import { PlacementPicker, placementOf, placementReady, type PlacementChoice } from '../components/PlacementPicker.js';
import { SignJob } from '../components/SignJob.js';
import { appearanceOf, levelOf, SignOptionsForm, type SignChoices } from '../components/SignOptions.js';
import { useAppearanceLayout } from '../components/useAppearanceLayout.js';
import { useSigner } from '../components/useSigner.js';
import { dnPairs } from '../dn.js';
import { useEvent } from '../hooks.js';
import { useI18n } from '../i18n.js';
import { defaultOutput } from '../outputName.js';
import { useKeptState } from '../state.js';

export { defaultOutput } from '../outputName.js';

/** Where a role's stamp goes by default: the seal on the approval signature, the official under the title when one is set. */
export function defaultPlacement(role: string, anchorText: string | undefined): PlacementChoice['mode'] {
  if (role === 'approval') return anchorText ? 'anchor' : 'drag';
  return 'auto';
}

/** The organization (O) and the holder's name (CN) of a certificate subject. */
export function certNames(subject: string | undefined): { organization?: string; signerName?: string } {
  const pairs = subject ? dnPairs(subject) : [];
  const o = pairs.find(([k]) => k === 'O')?.[1];
  const cn = pairs.find(([k]) => k === 'CN')?.[1];
  return { ...(o ? { organization: o } : {}), ...(cn ? { signerName: cn } : {}) };
}

/** The Sign screen. */
export function Sign({ initialPaths = [] }: { initialPaths?: string[] }) {
  const { t } = useI18n();
  const id = useId();
  const [paths, setPaths] = useKeptState<string[]>('sign.paths', []);
  const [output, setOutput] = useKeptState('sign.output', '');
  const [choices, setChoices] = useKeptState<SignChoices>('sign.choices', { role: 'approval', level: 'B-B', reason: '' });
  const [place, setPlace] = useKeptState<PlacementChoice>('sign.placement', { mode: 'drag', anchor: '', rect: null });
  const [dragging, setDragging] = useState<Placement | null>(null);
  const [busy, setBusy] = useState(false);
  const signer = useSigner('sign', choices.role);
  const [password, setPassword] = useState<string | undefined>(undefined);
  const [askPassword, setAskPassword] = useState(false);
  const file = paths[0] ?? '';
  useEvent('sign:done', (p) => {
    if (p.jobId === signer.jobId) setAskPassword(p.results.some((r) => needsPassword(r.error?.code)));
  });

  // Files the OS asked us to open replace the kept one.
  useEffect(() => {
    if (initialPaths.length) setPaths(initialPaths.slice(0, 1));
  }, [initialPaths.join('\n')]);
  // A new role places its stamp its own way (the seal goes on the signature by itself).
  const [placedFor, setPlacedFor] = useKeptState<string>('sign.placedFor', '');
  useEffect(() => {
    if (!choices.defaultsApplied || placedFor === choices.role) return;
    setPlacedFor(choices.role);
    setPlace((p) => ({ ...p, mode: defaultPlacement(choices.role, choices.anchorText), anchor: p.anchor || choices.anchorText || '' }));
  }, [choices.role, choices.defaultsApplied]);

  const names = certNames(signer.cert?.subject);
  const appearance = appearanceOf(choices, names);
  const placement = dragging ? { page: dragging.page, rect: dragging.rect } : placementOf(place);
  const visible = choices.role !== 'invisible';
  const { layout, error: layoutError } = useAppearanceLayout(file.toLowerCase().endsWith('.pdf') && visible && (dragging || placementReady(place)) ? { file, appearance, ...(placement ? { placement } : {}) } : null);
  const suggested = file ? defaultOutput(file, choices.role) : '';

  const sign = async (pw = password) => {
    setBusy(true);
    await signer.start({
      files: [file],
      output: output || suggested,
      overwrite: false,
      ...levelOf(choices),
      allowFallback: false,
      ...(choices.reason ? { reason: choices.reason } : {}),
      appearance,
      ...(visible && placement ? { placement } : {}),
      ...(pw !== undefined ? { password: pw } : {}),
    });
    setBusy(false);
  };
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('ui.nav.sign')}</h1>
      <div className="two-col">
        <div>
          <PathField label={t('ui.sign.file')} paths={paths} onChange={(p) => { setPaths(p); setOutput(''); setPlace((o) => ({ ...o, rect: null })); setPassword(undefined); setAskPassword(false); }} testId="sign-file" />
          <label className="field" htmlFor={`${id}-out`}>
            {t('ui.sign.output')}
            <input id={`${id}-out`} type="text" size={70} value={output} placeholder={suggested} onChange={(e) => setOutput(e.target.value)} data-testid="sign-output" />
          </label>
          <SignOptionsForm value={choices} onChange={setChoices} />
          {signer.picker}
          {visible && <PlacementPicker value={place} onChange={setPlace} role={choices.role} />}
          {layout?.warnings.map((w) => <p key={w.code} className="warn" role="status" data-testid="layout-warning">{w.message}</p>)}
          <ErrorBanner error={signer.error ?? layoutError} />
          <button type="button" className="primary" disabled={!file || !signer.ready || busy || (visible && !placementReady(place))} onClick={() => void sign()} data-testid="sign-start">
            {t('ui.sign.start')}
          </button>
          {signer.jobId && <SignJob key={signer.jobId} jobId={signer.jobId} files={[file]} />}
          {/* An encrypted input that needs its password (the job's result says so): sign again with it. */}
          {askPassword && <DocPassword onSubmit={(pw) => { setPassword(pw); setAskPassword(false); void sign(pw); }} testId="sign-password" />}
        </div>
        <div>
          {file.toLowerCase().endsWith('.pdf') && (
            <PdfPreview path={file} placement={place.mode === 'drag' ? place.rect : null} showPage={layout?.page} reveal={layout?.box ?? null}
              onPlace={visible ? (p) => setPlace((o) => ({ ...o, mode: 'drag', rect: p })) : undefined}
              onDrag={setDragging}
              overlay={({ page, scale }) => layout && layout.page === page ? <AppearancePreview layout={layout} scale={scale} images={{ signature: appearance.image, seal: appearance.sealImage }} /> : null} />
          )}
        </div>
      </div>
      {signer.pinDialog}
    </section>
  );
}
