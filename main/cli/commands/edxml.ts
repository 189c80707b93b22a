/**
 * `kyso edxml show FILE [--json]` and `kyso edxml verify FILE [--json]`: any edXML package or
 * status message, Kyso's or the field's. Verify exits 0 valid, 1 invalid, 2 unsigned,
 * 3 not a readable edXML file, 4 valid with a weak legacy algorithm.
 */
import { KysoError } from '../../api/errors.js';
import { inspectEdxml, type EdxmlDescription, type SignatureView } from '../../exchange/edxml/inspect.js';
import type { Organ } from '../../exchange/edxml/types.js';
import { tr, type CliIo } from '../io.js';
import { defineCommand } from '../spec.js';

const VERIFY_EXIT = { valid: 0, invalid: 1, unsigned: 2, 'valid-weak-algorithm': 4 } as const;

/** The one FILE a subcommand takes. */
function oneFile(positionals: string[]): string {
  if (!positionals.length) throw new KysoError('cliNoEdxmlFile');
  if (positionals.length > 1) throw new KysoError('cliUnexpectedArgument');
  return positionals[0]!;
}

/** The signature state in words, with the weak algorithms when there are any. */
export function signatureText(io: CliIo, s: SignatureView): string {
  return tr(io, `edxml.sig.${s.state}`, { weak: (s.weak ?? []).join(', ') });
}

function signatureLines(io: CliIo, s: SignatureView): string[] {
  const out = [`${tr(io, 'edxml.sig.label')}: ${signatureText(io, s)}`];
  if (s.failure) out.push(`  ${tr(io, 'edxml.sig.reason', { reason: tr(io, `error.${s.failure.code}`, s.failure.params) })}`);
  if (s.algorithm) out.push(`  ${tr(io, 'edxml.sig.algorithm', { algorithm: s.algorithm, digests: (s.digests ?? []).join(', ') })}`);
  if (s.signer) {
    out.push(`  ${tr(io, 'edxml.sig.signer', { subject: s.signer.subject })}`, `  ${tr(io, 'edxml.sig.issuer', { issuer: s.signer.issuer })}`);
    out.push(`  ${tr(io, 'edxml.sig.validity', { from: s.signer.notBefore, to: s.signer.notAfter })}`);
  }
  if (s.state === 'valid' || s.state === 'valid-weak-algorithm') out.push(`  ${tr(io, 'edxml.sig.trustNote')}`);
  return out;
}

function organ(io: CliIo, o: Organ, form?: 'qd20' | 'system'): string {
  const extra = [o.organizationInCharge, o.organAdd, o.email, o.telephone, o.fax, o.website].filter(Boolean).join('; ');
  return `${o.organName} (${o.organId}${form ? `, ${tr(io, `edxml.organ.${form}`)}` : ''})${extra ? ` — ${extra}` : ''}`;
}

/** The human-readable report of `kyso edxml show`. */
export function showText(io: CliIo, file: string, d: EdxmlDescription): string {
  const L: string[] = [];
  const field = (key: string, value: string | undefined) => value !== undefined && value !== '' && L.push(`${tr(io, key)}: ${value}`);
  field('edxml.field.file', file);
  field('edxml.field.kind', d.status ? `${tr(io, 'edxml.kind.status')}, ${tr(io, `edxml.shape.${d.status.shape}`)}` : tr(io, 'edxml.kind.package'));
  L.push(...signatureLines(io, d.signature));
  if (d.notes.length) {
    L.push(`${tr(io, 'edxml.field.notes')}:`);
    for (const n of d.notes) L.push(`  - ${tr(io, `edxml.note.${n.code}`, n.params)}`);
  }
  if (d.status) {
    const s = d.status;
    field('edxml.field.status', `${s.statusCode} — ${tr(io, `edxml.status.${s.statusCode}`)}`);
    field('edxml.field.description', s.description);
    field('edxml.field.from', organ(io, s.from, s.fromForm));
    const r = s.responseFor;
    field('edxml.field.responseFor', `${r.documentId} (${tr(io, `edxml.form.${r.documentIdForm}`)}; ${r.organId}, ${r.code}, ${r.promulgationDate})`);
    field('edxml.field.timestamp', s.timestamp);
    if (s.staffInfo) field('edxml.field.staff', [s.staffInfo.staff, s.staffInfo.department, s.staffInfo.email, s.staffInfo.mobile].filter(Boolean).join(', '));
  }
  if (d.package) {
    const { header: h, attachments } = d.package;
    field('edxml.field.from', organ(io, h.from, d.package.fromForm));
    for (const t of h.to) field('edxml.field.to', organ(io, t));
    field('edxml.field.documentId', `${h.documentId} (${tr(io, `edxml.form.${d.package.documentIdForm}`)})`);
    field('edxml.field.code', `${h.code.codeNumber}/${h.code.codeNotation}`);
    field('edxml.field.promulgation', `${h.promulgationInfo.promulgationDate}, ${h.promulgationInfo.place}`);
    field('edxml.field.type', `${h.documentType.typeName} (${h.documentType.type}/${h.documentType.typeDetail})`);
    field('edxml.field.subject', h.subject);
    field('edxml.field.signerInfo', [h.signerInfo.competence, h.signerInfo.position, h.signerInfo.fullName].filter(Boolean).join(' '));
    field('edxml.field.dueDate', h.dueDate);
    field('edxml.field.priority', `${tr(io, `edxml.priority.${h.otherInfo.priority}`)} (${h.otherInfo.priority})`);
    field('edxml.field.steering', `${tr(io, `edxml.steering.${h.steeringType}`)} (${h.steeringType})`);
    if (h.toPlaces.length) field('edxml.field.toPlaces', h.toPlaces.join('; '));
    for (const r of h.responseFor) field('edxml.field.responseFor', `${r.documentId} (${r.organId}, ${r.code}, ${r.promulgationDate})`);
    L.push(`${tr(io, 'edxml.field.attachments')}:${attachments.length ? '' : ` ${tr(io, 'edxml.none')}`}`);
    for (const a of attachments) {
      const type = a.detectedType && a.detectedType !== a.declaredType ? tr(io, 'edxml.attachment.declared', { declared: a.declaredType, detected: a.detectedType }) : a.declaredType;
      L.push(`  ${a.name}\t${type}\t${tr(io, 'edxml.attachment.size', { size: a.size })}\tsha256 ${a.sha256}`);
    }
  }
  L.push(`${tr(io, 'edxml.field.traces')}:${d.traces.length ? '' : ` ${tr(io, 'edxml.none')}`}`);
  for (const t of d.traces) L.push(`  ${t.organId}\t${t.timestamp}`);
  const b = d.bussiness;
  const staff = b.staffInfo ? [b.staffInfo.staff, b.staffInfo.department, b.staffInfo.email, b.staffInfo.mobile].filter(Boolean).join(', ') : '';
  // A status message has no business block of its own.
  if (d.package) field('edxml.field.bussiness', [`${tr(io, `edxml.bussiness.${b.bussinessDocType}`)} (${b.bussinessDocType})`, b.bussinessDocReason ? tr(io, 'edxml.bussiness.reason', { reason: b.bussinessDocReason }) : '', staff].filter(Boolean).join('; '));
  field('edxml.field.bytes', tr(io, 'edxml.attachment.size', { size: d.bytes }));
  field('edxml.field.sha256', d.sha256);
  return L.join('\n') + '\n';
}

const json = { json: { type: 'boolean', help: 'cli.opt.json' } } as const;

/** The `edxml` command: `show` and `verify`. */
export const edxmlCommand = defineCommand({
  name: 'edxml',
  summaryKey: 'cli.cmd.edxml',
  // A file that is no readable edXML message: 3, apart from the signature verdicts 0/1/2/4.
  exitCodes: { edxmlMalformed: 3, edxmlInvalid: 3, edxmlTooLarge: 3, edxmlBadBase64: 3, edxmlAttachmentMismatch: 3, fileUnreadable: 3, fileNotFound: 3, fileNotRegular: 3, exStatusReasonRequired: 3 },
  subcommands: [
    {
      name: 'show',
      summaryKey: 'cli.sub.edxml.show',
      args: 'FILE',
      options: json,
      noteKey: 'cli.note.edxml.show',
      examples: ['kyso edxml show goi-tin.edxml', 'kyso edxml show trang-thai.xml --json'],
      async run({ options, positionals }, io) {
        const file = oneFile(positionals);
        const d = await inspectEdxml(file);
        io.out(options.json ? JSON.stringify({ file, ...d }, null, 2) + '\n' : showText(io, file, d));
        return 0;
      },
    },
    {
      name: 'verify',
      summaryKey: 'cli.sub.edxml.verify',
      args: 'FILE',
      options: json,
      noteKey: 'cli.note.edxml.verify',
      examples: ['kyso edxml verify goi-tin.edxml', 'kyso edxml verify goi-tin.edxml --json'],
      async run({ options, positionals }, io) {
        const file = oneFile(positionals);
        const d = await inspectEdxml(file);
        if (options.json) io.out(JSON.stringify({ file, kind: d.kind, signature: d.signature, notes: d.notes }, null, 2) + '\n');
        else {
          io.out(tr(io, 'edxml.verify.line', { file, state: signatureText(io, d.signature) }) + '\n');
          for (const l of signatureLines(io, d.signature).slice(1)) io.out(l + '\n');
        }
        return VERIFY_EXIT[d.signature.state];
      },
    },
  ],
});
