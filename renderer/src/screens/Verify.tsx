/**
 * Verify: pick a PDF, one panel per signature with its indication, the reasons (checks),
 * certificate details and changes made after it; export the report (PDF or JSON).
 */
import { useId, useState } from 'react';
import type { ErrorPayload, OutputOf } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { DocumentVerdict } from '../components/DocumentVerdict.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { DocPassword, needsPassword } from '../components/DocPassword.js';
import { RevisionCompare } from '../components/RevisionCompare.js';
import { PathField } from '../components/PathField.js';
import { errorText, hasMessage } from '../../../resources/locales/index.js';
import { formatDateTime, useI18n } from '../i18n.js';
import { validationClass } from './Inbox.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

type FileResult = OutputOf<'verify:file'>;
type Sig = FileResult['signatures'][number];

/** The first page a permitted form fill redrew after this signature, if any. */
function redrawnPage(sig: Sig): number | undefined {
  const c = sig.checks.find((x) => x.code === 'pageLooksDifferent');
  const n = c ? Number(String(c.params.pages).split(',')[0]) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** One signature's panel. */
function SignaturePanel({ sig, path, password }: { sig: Sig; path: string; password?: string | undefined }) {
  const { t, lang } = useI18n();
  // Reasons are localized by their stable code; the engine's English detail is the fallback.
  // Times in the engine's parameters are ISO 8601 UTC: show them as every other date here.
  const shown = (params: Record<string, string | number>) =>
    Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' && ISO_TIME.test(v) ? formatDateTime(v, lang) : v]));
  const reason = (code: string, params: Record<string, string | number>, detail: string) =>
    hasMessage(lang, `verify.reason.${code}`) ? t(`verify.reason.${code}`, shown(params)) : detail;
  const when = (v: string | null) => (v ? formatDateTime(v, lang, { seconds: true }) : '—');
  return (
    <article className="card" data-testid="sig-panel" aria-label={sig.field}>
      <h2>
        <span className={`badge ${validationClass(sig.indication)}`} title={sig.indication} data-testid="sig-indication" data-indication={sig.indication}>{t(`verify.indication.${sig.indication}`)}</span>{' '}
        {sig.kind === 'documentTimestamp' ? t('ui.verify.docTimestamp') : sig.signer ?? sig.field}
      </h2>
      {sig.subIndication && (
        <p className={validationClass(sig.indication)} data-testid="sig-subindication">
          <span title={sig.subIndication}>{t(`verify.sub.${sig.subIndication}`)}</span>
        </p>
      )}
      <dl className="facts">
        <dt>{t('ui.verify.signingTime')}</dt><dd>{when(sig.signingTime)} ({t(`ui.verify.timeSource.${sig.timeSource}`)})</dd>
        <dt>{t('ui.verify.level')}</dt><dd>{sig.level ?? '—'}</dd>
        <dt>{t('ui.verify.coverage')}</dt><dd>{sig.coversWholeDocument ? t('ui.verify.wholeDocument') : t('ui.verify.partOfDocument', { revision: sig.revision ?? '?' })}</dd>
        <dt>{t('ui.verify.revocation')}</dt><dd>{t(`ui.verify.revocation.${sig.revocation.status}`)}{sig.revocation.source && sig.revocation.source !== 'none' ? ` (${t(`verify.revocationSource.${sig.revocation.source}`)})` : ''}</dd>
        {sig.signerCert && (
          <>
            <dt>{t('ui.cert.subject')}</dt><dd>{sig.signerCert.subject}</dd>
            <dt>{t('ui.cert.issuer')}</dt><dd>{sig.signerCert.issuer}</dd>
            <dt>{t('ui.cert.serial')}</dt><dd><code>{sig.signerCert.serial}</code></dd>
            <dt>{t('ui.cert.validity')}</dt><dd>{when(sig.signerCert.notBefore)} → {when(sig.signerCert.notAfter)}</dd>
          </>
        )}
      </dl>
      <h3>{t('ui.verify.checks')}</h3>
      <ul data-testid="sig-checks">
        {sig.checks.map((c, i) => (
          <li key={i} className={c.result === 'pass' ? 'ok' : c.result === 'fail' ? 'bad' : 'warn'}>
            {c.result === 'pass' ? '✓' : c.result === 'fail' ? '✗' : '!'}{' '}
            {hasMessage(lang, `verify.check.${c.name}`) ? <strong>{t(`verify.check.${c.name}`)}: </strong> : null}
            {reason(c.code, c.params, c.detail || c.name)}
          </li>
        ))}
      </ul>
      {sig.modifications.length > 0 && (
        <>
          <h3>{t('ui.verify.modifications')}</h3>
          <ul data-testid="sig-modifications">
            {sig.modifications.map((m, i) => (
              <li key={i} className={m.allowed ? 'muted' : 'bad'}>{t('ui.verify.revision', { revision: m.revision })}: {reason(m.code, {}, m.detail)} {m.allowed ? '' : `(${t('ui.verify.notAllowed')})`}</li>
            ))}
          </ul>
        </>
      )}
      {/* A permitted fill redrew the page: show it as signed beside it as it is now. */}
      {redrawnPage(sig) && sig.byteRange?.length === 4 && (
        <RevisionCompare path={path} signedLength={sig.byteRange[2]! + sig.byteRange[3]!} page={redrawnPage(sig)!} {...(password ? { password } : {})} />
      )}
    </article>
  );
}

/** The Verify screen. */
export function Verify() {
  const api = useApi();
  const { t, lang } = useI18n();
  const id = useId();
  const [paths, setPaths] = useState<string[]>([]);
  const [result, setResult] = useState<FileResult | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  const [exported, setExported] = useState<string | null>(null);
  const [password, setPassword] = useState<string | undefined>(undefined);
  const file = paths[0] ?? '';

  const verify = async (pw = password) => {
    setBusy(true);
    setResult(null);
    setPassword(pw);
    const r = await api['verify:file']({ path: file, ...(pw !== undefined ? { password: pw } : {}) });
    setBusy(false);
    if (r.ok) {
      setResult(r.value);
      setError(null);
    } else setError(r.error);
  };
  const exportReport = async (format: 'pdf' | 'json') => {
    const suggested = file.replace(/(\.pdf)?$/i, `.report.${format}`);
    const d = await api['dialog:saveFile']({ defaultPath: suggested, filters: [{ name: format.toUpperCase(), extensions: [format] }] });
    const output = d.ok && d.value.path ? d.value.path : d.ok && !d.value.native ? suggested : null;
    if (!output) return;
    const r = await api['verify:exportReport']({ paths: [file], output, format, lang, ...(password !== undefined ? { password } : {}) });
    if (r.ok) setExported(t('ui.verify.exported', { path: r.value.output }));
    else setError(r.error);
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{t('ui.nav.verify')}</h1>
      <PathField label={t('ui.verify.file')} paths={paths} onChange={(p) => { setPaths(p); setResult(null); setPassword(undefined); }} testId="verify-file" />
      <div className="row">
        <button type="button" className="primary" disabled={!file || busy} onClick={() => void verify()} data-testid="verify-start">{t('ui.verify.start')}</button>
        <button type="button" disabled={!result} onClick={() => void exportReport('pdf')} data-testid="verify-export">{t('ui.verify.exportPdf')}</button>
        <button type="button" disabled={!result} onClick={() => void exportReport('json')}>{t('ui.verify.exportJson')}</button>
      </div>
      {busy && <p role="status">{t('ui.verify.running')}</p>}
      <ErrorBanner error={error} />
      {exported && <p role="status" className="ok" data-testid="verify-exported">{exported}</p>}
      {result && (
        <div aria-live="polite">
          {result.error && (
            <p className="bad" role="alert" data-testid="verify-file-error">
              {errorText(lang, result.error)}
            </p>
          )}
          <DocumentVerdict signatures={result.signatures} unreadable={Boolean(result.error) && !result.signatures.length} testId="verify-verdict" />
          {needsPassword(result.error?.code) && <DocPassword onSubmit={(pw) => void verify(pw)} testId="verify-password" />}
          <p data-testid="verify-summary">{t('ui.verify.summary', { count: result.signatures.length, revisions: result.revisions })}</p>
          {result.signatures.map((s) => <SignaturePanel key={s.field} sig={s} path={file} password={password} />)}
        </div>
      )}
    </section>
  );
}
