/**
 * One verdict for a whole document (Verify, the Inbox viewer): valid only when every
 * signature is, invalid when one is, undetermined otherwise; no signature; unreadable. Then
 * one line per signature: who, the verdict in words, when. The ETSI codes stay on hover.
 */
import { hasMessage } from '../../../resources/locales/index.js';
import { formatDateTime, useI18n } from '../i18n.js';

/** What the verdict needs of a signature (verify:file's results and stored reports alike). */
export interface SignatureLike {
  field?: string;
  kind?: string;
  signer?: string | null;
  indication: string;
  subIndication?: string | null;
  signingTime?: string | null;
}

/** The document's verdict: the worst signature's, or none / unreadable. */
export type DocumentVerdictKind = 'TOTAL_PASSED' | 'INDETERMINATE' | 'TOTAL_FAILED' | 'NO_SIGNATURE' | 'UNREADABLE';

const order = ['TOTAL_PASSED', 'INDETERMINATE', 'TOTAL_FAILED'];

/** The worst indication over the signatures (an unknown indication counts as undetermined). */
export function documentVerdict(signatures: SignatureLike[], unreadable = false): DocumentVerdictKind {
  if (unreadable) return 'UNREADABLE';
  if (!signatures.length) return 'NO_SIGNATURE';
  let worst = 0;
  for (const s of signatures) worst = Math.max(worst, order.includes(s.indication) ? order.indexOf(s.indication) : 1);
  return order[worst] as DocumentVerdictKind;
}

/** CSS class for a verdict. */
export function verdictClass(v: string | null): string {
  if (v === 'TOTAL_PASSED') return 'ok';
  if (v === 'TOTAL_FAILED' || v === 'UNREADABLE') return 'bad';
  return 'warn';
}

/** Reads the signatures out of a stored validation report (unknown JSON), defensively. */
export function signaturesOfReport(report: unknown): { signatures: SignatureLike[]; unreadable: boolean } {
  const r = report as { signatures?: unknown; error?: unknown } | null;
  const sigs = Array.isArray(r?.signatures) ? (r!.signatures as SignatureLike[]).filter((s) => s && typeof s.indication === 'string') : [];
  return { signatures: sigs, unreadable: Boolean(r?.error) && !sigs.length };
}

/** The verdict banner and the per-signature lines. */
export function DocumentVerdict({ signatures, unreadable = false, testId = 'document-verdict' }: { signatures: SignatureLike[]; unreadable?: boolean; testId?: string }) {
  const { t, lang } = useI18n();
  const v = documentVerdict(signatures, unreadable);
  return (
    <div className={`verdict ${verdictClass(v)}`} data-testid={testId} data-verdict={v} role="status">
      <strong>{t(`ui.verdict.${v}`)}</strong>
      {signatures.length > 0 && (
        <ul>
          {signatures.map((s, i) => (
            <li key={s.field ?? i} title={[s.indication, s.subIndication].filter(Boolean).join(' / ')} data-indication={s.indication}>
              {s.kind === 'documentTimestamp' ? t('ui.verify.docTimestamp') : s.signer ?? s.field ?? '—'}:{' '}
              <span className={verdictClass(s.indication)}>{hasMessage(lang, `verify.indication.${s.indication}`) ? t(`verify.indication.${s.indication}`) : s.indication}</span>
              {s.subIndication && hasMessage(lang, `verify.sub.${s.subIndication}`) ? <> — {t(`verify.sub.${s.subIndication}`)}</> : null}
              {s.signingTime ? <span className="muted"> · {formatDateTime(s.signingTime, lang)}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
