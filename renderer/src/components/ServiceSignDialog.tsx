/**
 * A web page's signing request, shown before anything is signed: the site (from the
 * connection, not what the page claims), the exact documents (preview, name, size, pages,
 * SHA-256), the role and where its stamp goes (the user can drag it, and must when nothing
 * decided it) drawn as it will look with the chosen certificate (the Sign screen's preview,
 * laid out by the signing engine through `sign:layout`), the stamp's fields, the certificate;
 * the PIN approves, Refuse answers the page "cancelled". A wrong PIN shows the token's message
 * and the question stays.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ErrorPayload, EventPayload, InputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { formatDate, useI18n } from '../i18n.js';
import { AppearancePreview } from './AppearancePreview.js';
import { ErrorBanner } from './ErrorBanner.js';
import { PdfPreview, type Placement } from './PdfPreview.js';
import { useAppearanceLayout } from './useAppearanceLayout.js';

type SignPrompt = Extract<EventPayload<'service:prompt'>, { kind: 'sign' }>;

/** Props of ServiceSignDialog. */
export interface ServiceSignDialogProps {
  prompt: SignPrompt;
  /** Questions waiting behind this one. */
  waiting: number;
  onDone(): void;
}

/** The placement signing uses for a document's plan (undefined: the engine's own spot). */
function planned(plan: SignPrompt['placements'][number] | undefined): InputOf<'sign:layout'>['placement'] {
  if (!plan || plan.page === undefined) return undefined;
  if (plan.rect) return { page: plan.page, rect: plan.rect };
  if (plan.anchor) return { page: plan.page, anchor: plan.anchor };
  return undefined;
}

/** "1,2 MB" style sizes. */
function size(n: number, lang: string): string {
  const f = (x: number) => x.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
  if (n >= 1 << 20) return `${f(n / (1 << 20))} MB`;
  if (n >= 1 << 10) return `${f(n / (1 << 10))} KB`;
  return `${n} B`;
}

/** The signing question. */
export function ServiceSignDialog({ prompt, waiting, onDone }: ServiceSignDialogProps) {
  const api = useApi();
  const { t, lang } = useI18n();
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [doc, setDoc] = useState(0);
  const [cert, setCert] = useState(prompt.preferred);
  const [pin, setPin] = useState('');
  const [placed, setPlaced] = useState<Placement | null>(null);
  const [dragging, setDragging] = useState<Placement | null>(null);
  const [save, setSave] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const chosen = prompt.certificates.find((c) => c.fingerprint === cert);
  const plan = prompt.placements[doc] ?? prompt.placements[0];
  const mustPlace = prompt.placements.some((p) => p.source === 'ask');
  const shown: Placement | null = placed ?? (plan?.page !== undefined && plan.rect ? { page: plan.page, rect: plan.rect } : null);
  const invisible = prompt.role === 'invisible';
  const d = prompt.documents[doc]!;
  // The stamp as it will look: where it is being dragged, else where it was put, else the plan.
  const appearance = prompt.appearances[cert];
  const placement = dragging ?? placed ?? planned(plan);
  const { layout, error: layoutError } = useAppearanceLayout(appearance && !invisible && (placement || plan?.source !== 'ask') ? { file: d.path, appearance, ...(placement ? { placement } : {}) } : null);

  const answer = async (approve: boolean) => {
    setBusy(true);
    const value = pin;
    setPin('');
    const r = await api['service:answer']({
      id: prompt.id, approve,
      ...(approve ? { pin: chosen?.pinPad ? null : value, cert, ...(placed ? { placement: placed, savePlacement: save } : {}) } : {}),
    });
    setBusy(false);
    if (r.ok) onDone();
    else setError(r.error);
  };

  const where = (): string => {
    if (placed) return t('ui.service.placedByYou', { page: placed.page });
    switch (plan?.source) {
      case 'request': return t('ui.service.placeRequest', { page: plan.page ?? 1 });
      case 'saved': return t('ui.service.placeSaved', { page: plan.page ?? 1 });
      case 'anchor': return t('ui.service.placeAnchor', { anchor: plan.anchor ?? '', page: plan.page ?? 1 });
      case 'decree': return t('ui.service.placeDecree');
      case 'invisible': return t('ui.service.placeInvisible');
      case 'ask': return t('ui.service.placeAsk');
      default: return t('ui.service.placeDefault');
    }
  };

  return (
    <dialog ref={ref} className="service-sign" aria-labelledby={`${id}-title`} onCancel={(e) => { e.preventDefault(); void answer(false); }} data-testid="service-sign-dialog">
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); void answer(true); }}>
        <h2 id={`${id}-title`}>{t('ui.service.signTitle')}</h2>
        <div className="columns">
          <div className="svc-facts">
            <p>
              <strong className="origin" data-testid="service-sign-origin">{prompt.origin}</strong>{' '}
              {t('ui.service.signAsks', { role: t(`ui.role.${prompt.role}`), count: prompt.documents.length })}
            </p>
            {waiting > 0 && <p className="muted">{t('ui.service.waiting', { count: waiting })}</p>}
            <table className="list" data-testid="service-docs">
              <thead><tr><th>{t('ui.service.docName')}</th><th>{t('ui.service.docSize')}</th><th>{t('ui.service.docPages')}</th></tr></thead>
              <tbody>
                {prompt.documents.map((x, i) => (
                  <tr key={i} aria-selected={i === doc} onClick={() => setDoc(i)} data-testid="service-doc-row">
                    <td>
                      <button type="button" className="link" onClick={() => setDoc(i)}>{x.name}</button>
                      {x.url && <div className="muted small">{x.url}</div>}
                      <div className="muted">SHA-256 <code className="hash" data-testid="service-doc-sha256">{x.sha256}</code></div>
                    </td>
                    <td>{size(x.size, lang)}</td>
                    <td>{x.pages}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {Object.keys(prompt.details).length > 0 && (
              <dl className="details" data-testid="service-details">
                {Object.entries(prompt.details).map(([k, v]) => <div key={k}><dt>{t(k)}</dt><dd>{v}</dd></div>)}
              </dl>
            )}
            {!invisible && <p data-testid="service-placement-text">{where()}</p>}
            {placed && (
              <label className="field inline">
                <input type="checkbox" checked={save} onChange={(e) => setSave(e.target.checked)} data-testid="service-save-placement" />
                {t('ui.service.savePlacement', { role: t(`ui.role.${prompt.role}`) })}
              </label>
            )}
            <label className="field" htmlFor={`${id}-cert`}>
              {t('ui.service.certificate')}
              <select id={`${id}-cert`} value={cert} onChange={(e) => setCert(e.target.value)} data-testid="service-cert-select">
                {prompt.certificates.map((c) => (
                  <option key={c.fingerprint} value={c.fingerprint}>
                    {c.commonName} · {c.issuer} · {formatDate(c.notAfter, lang)}{c.valid ? '' : ` (${t('ui.service.certInvalid')})`} · {c.token}
                  </option>
                ))}
              </select>
            </label>
            {layout?.warnings.map((w) => <p key={w.code} className="warn" role="status" data-testid="layout-warning">{w.message}</p>)}
            <ErrorBanner error={error ?? layoutError} />
            {chosen?.pinPad ? (
              <p className="muted">{t('ui.pin.pinPad')}</p>
            ) : (
              <label className="field" htmlFor={`${id}-pin`}>
                {t('ui.pin.label')}
                <input id={`${id}-pin`} type="password" autoComplete="off" value={pin} disabled={busy} onChange={(e) => setPin(e.target.value)} data-testid="service-pin" />
              </label>
            )}
            <div className="row">
              <button type="submit" className="primary" disabled={busy || (!chosen?.pinPad && !pin) || (mustPlace && !placed && !invisible)} data-testid="service-sign-ok">
                {t('ui.service.sign', { count: prompt.documents.length })}
              </button>
              <button type="button" disabled={busy} onClick={() => void answer(false)} data-testid="service-sign-refuse">{t('ui.service.refuse')}</button>
            </div>
          </div>
          <div className="svc-preview">
            <PdfPreview key={d.path} path={d.path} placement={invisible ? null : shown} showPage={layout?.page} reveal={layout?.box ?? null}
              onPlace={(p) => !invisible && setPlaced(p)} onDrag={setDragging}
              overlay={({ page, scale }) => layout && layout.page === page ? <AppearancePreview layout={layout} scale={scale} images={{ signature: appearance?.image, seal: appearance?.sealImage }} /> : null} />
          </div>
        </div>
      </form>
    </dialog>
  );
}
