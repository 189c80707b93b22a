/**
 * What the edXML reader found about an incoming package: its XML signature (an unsigned
 * package is shown as unsigned, never as signed), the reader's notes, the business block and
 * the trace headers. Used by the Inbox detail, the Inbox list and the incoming register.
 */
import type { OutputOf } from '../../../main/api/index.js';
import { formatEdxmlTime, useI18n } from '../i18n.js';

type Doc = OutputOf<'exchange:inboxShow'>['doc'];
type SignatureFields = Pick<Doc, 'signatureState' | 'signatureAlgorithm'>;

/** CSS class of a package signature state. */
export function signatureClass(state: Doc['signatureState']): string {
  return state === 'valid' ? 'ok' : state === 'invalid' ? 'bad' : 'warn';
}

/** The signature state in words, e.g. "Không ký số". */
export function signatureWords(t: (key: string, params?: Record<string, unknown>) => string, d: SignatureFields): string {
  return t(`edxml.sig.${d.signatureState}`, { weak: d.signatureAlgorithm ?? '' });
}

/** A short mark for lists, shown only when the package is not plainly signed and valid. */
export function SignatureMark({ doc }: { doc: SignatureFields }) {
  const { t } = useI18n();
  if (doc.signatureState === 'valid') return null;
  return <span className={signatureClass(doc.signatureState)} data-testid="package-signature-mark"> ({signatureWords(t, doc)})</span>;
}

/** Rows of the Inbox detail's fact list: signature, signer, notes, business block, traces. */
export function PackageFacts({ doc }: { doc: Doc }) {
  const { t } = useI18n();
  const b = doc.bussinessDocType;
  return (
    <>
      <dt>{t('edxml.sig.label')}</dt>
      <dd className={signatureClass(doc.signatureState)} data-testid="package-signature" data-state={doc.signatureState}>
        {signatureWords(t, doc)}
        {doc.signer ? ` — ${doc.signer}` : ''}
      </dd>
      {/* The issue date from the document's metadata is shown by the caller when there is one. */}
      {doc.promulgationDate && !doc.meta.issueDate && (<><dt>{t('edxml.field.promulgation')}</dt><dd>{formatEdxmlTime(doc.promulgationDate)}</dd></>)}
      {(b !== 0 || doc.bussinessReason) && (
        <><dt>{t('edxml.field.bussiness')}</dt><dd data-testid="package-bussiness">{t(`edxml.bussiness.${b}`)}{doc.bussinessReason ? ` — ${doc.bussinessReason}` : ''}</dd></>
      )}
      {doc.traces.length > 0 && (
        <><dt>{t('edxml.field.traces')}</dt><dd>{doc.traces.map((x) => `${x.organId} (${formatEdxmlTime(x.timestamp)})`).join(' → ')}</dd></>
      )}
      {doc.packageNotes.length > 0 && (
        <><dt>{t('edxml.field.notes')}</dt><dd className="warn" data-testid="package-notes">{doc.packageNotes.map((n) => t(`edxml.note.${n.code}`, n.params)).join(' ')}</dd></>
      )}
    </>
  );
}
