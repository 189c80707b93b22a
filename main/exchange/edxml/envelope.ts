/** edXML envelope: MessageHeader, TraceHeaderList, manifest <-> XML (DOM on the parsing side). */
import type { Element } from '@xmldom/xmldom';
import { KysoError } from '../../api/errors.js';
import type { Notes } from './notes.js';
import { el, wrap, child, children, need, text, int, validate } from './xml.js';
import {
  attachmentMetaSchema,
  bussinessSchema,
  messageHeaderSchema,
  traceHeaderSchema,
  type AttachmentMeta,
  type Bussiness,
  type MessageHeader,
  type Organ,
  type ResponseFor,
  type StaffInfo,
  type TraceHeader,
} from './types.js';

/** The DocumentId edXML derives: "{OrganId},{yyyy/MM/dd},{number}/{notation}". */
export function documentIdOf(h: Pick<MessageHeader, 'from' | 'code' | 'promulgationInfo'>): string {
  return `${h.from.organId},${h.promulgationInfo.promulgationDate},${h.code.codeNumber}/${h.code.codeNotation}`;
}

/** The two DocumentId forms of the field: `OrganId,yyyy/MM/dd,number/notation`, or an opaque id (a UUID). */
export type DocumentIdForm = 'structured' | 'opaque';

const STRUCTURED_ID = /^[^,]+,\d{4}\/\d{2}\/\d{2},[^,]*\/[^,]*$/;

/** Which form a DocumentId has. */
export function documentIdFormOf(id: string): DocumentIdForm {
  return STRUCTURED_ID.test(id) ? 'structured' : 'opaque';
}

/** The promulgation date inside a structured DocumentId, if it is one. */
export function documentIdDate(id: string): string | undefined {
  return documentIdFormOf(id) === 'structured' ? id.split(',')[1] : undefined;
}

/** Serializes an organization (From / To). */
export function organXml(tag: string, o: Organ): string {
  return wrap(
    tag,
    el('OrganId', o.organId) + el('OrganizationInCharge', o.organizationInCharge) + el('OrganName', o.organName) + el('OrganAdd', o.organAdd) +
      el('Email', o.email) + el('Telephone', o.telephone) + el('Fax', o.fax) + el('Website', o.website),
  );
}

/** Serializes StaffInfo. */
export function staffXml(s: StaffInfo | undefined): string {
  if (!s) return '';
  return wrap('StaffInfo', el('Department', s.department) + el('Staff', s.staff) + el('Email', s.email) + el('Mobile', s.mobile));
}

/** Serializes a ResponseFor reference. */
export function responseForXml(r: ResponseFor): string {
  return wrap('ResponseFor', el('OrganId', r.organId) + el('Code', r.code) + el('PromulgationDate', r.promulgationDate) + el('DocumentId', r.documentId));
}

/** Serializes MessageHeader (validated input). */
export function messageHeaderXml(h: MessageHeader): string {
  const o = h.otherInfo;
  return wrap(
    'MessageHeader',
    organXml('From', h.from) +
      h.to.map((t) => organXml('To', t)).join('') +
      el('DocumentId', h.documentId ?? documentIdOf(h)) +
      wrap('Code', el('CodeNumber', h.code.codeNumber) + el('CodeNotation', h.code.codeNotation)) +
      wrap('PromulgationInfo', el('Place', h.promulgationInfo.place) + el('PromulgationDate', h.promulgationInfo.promulgationDate)) +
      wrap('DocumentType', el('Type', h.documentType.type) + el('TypeDetail', h.documentType.typeDetail) + el('TypeName', h.documentType.typeName)) +
      el('Subject', h.subject) +
      el('Content', h.content) +
      wrap('SignerInfo', el('Competence', h.signerInfo.competence) + el('Position', h.signerInfo.position) + el('FullName', h.signerInfo.fullName)) +
      el('DueDate', h.dueDate) +
      wrap(
        'OtherInfo',
        el('Priority', o.priority) + el('SphereOfPromulgation', o.sphereOfPromulgation) + el('TyperNotation', o.typerNotation) +
          el('PromulgationAmount', o.promulgationAmount) + el('PageAmount', o.pageAmount) + el('Direction', o.direction) +
          (o.appendixes.length ? wrap('Appendixes', o.appendixes.map((a) => el('Appendix', a)).join('')) : ''),
      ) +
      el('SteeringType', h.steeringType) +
      (h.toPlaces.length ? wrap('ToPlaces', h.toPlaces.map((p) => el('Place', p)).join('')) : '') +
      h.responseFor.map(responseForXml).join(''),
  );
}

/** Serializes TraceHeaderList with its Bussiness block. */
export function traceHeaderListXml(traces: TraceHeader[], b: Bussiness, documentId: string): string {
  return wrap(
    'TraceHeaderList',
    traces.map((t) => wrap('TraceHeader', el('OrganId', t.organId) + el('Timestamp', t.timestamp))).join('') +
      wrap(
        'Bussiness',
        el('DocumentId', b.documentId ?? documentId) + el('BussinessDocType', b.bussinessDocType) + el('BussinessDocReason', b.bussinessDocReason) +
          el('Paper', b.paper) + staffXml(b.staffInfo),
      ),
  );
}

/** Serializes the manifest (edXMLBody). */
export function manifestXml(manifest: AttachmentMeta[]): string {
  return wrap(
    'edXMLBody',
    wrap(
      'edXMLManifest',
      manifest
        .map((m) => wrap('Reference', el('ContentId', `cid:${m.contentId}`) + el('ContentType', m.contentType) + el('Description', m.description) + el('AttachmentName', m.attachmentName)))
        .join(''),
    ),
  );
}

/** Reads an organization element. */
export function readOrgan(e: Element): Record<string, unknown> {
  return {
    organId: text(e, 'OrganId'),
    organizationInCharge: text(e, 'OrganizationInCharge'),
    organName: text(e, 'OrganName'),
    organAdd: text(e, 'OrganAdd'),
    email: text(e, 'Email'),
    telephone: text(e, 'Telephone'),
    fax: text(e, 'Fax'),
    website: text(e, 'Website'),
  };
}

/** Reads StaffInfo when present. */
export function readStaff(parent: Element): Record<string, unknown> | undefined {
  const s = child(parent, 'StaffInfo');
  if (!s) return undefined;
  return { department: text(s, 'Department'), staff: text(s, 'Staff'), email: text(s, 'Email'), mobile: text(s, 'Mobile') };
}

/** Reads a ResponseFor element. */
export function readResponseFor(r: Element): Record<string, unknown> {
  return { organId: text(r, 'OrganId'), code: text(r, 'Code'), promulgationDate: text(r, 'PromulgationDate'), documentId: text(r, 'DocumentId') };
}

/** Parses and strictly validates MessageHeader of a document; the DocumentId keeps the form it came in. */
export function readMessageHeader(header: Element, notes?: Notes): MessageHeader {
  const m = need(header, 'MessageHeader', 'MessageHeader');
  const p = 'MessageHeader';
  const code = need(m, 'Code', `${p}.Code`);
  const prom = need(m, 'PromulgationInfo', `${p}.PromulgationInfo`);
  const type = need(m, 'DocumentType', `${p}.DocumentType`);
  const signer = need(m, 'SignerInfo', `${p}.SignerInfo`);
  const other = child(m, 'OtherInfo');
  const toPlaces = child(m, 'ToPlaces');
  const appendixes = other ? child(other, 'Appendixes') : undefined;
  const raw = {
    from: readOrgan(need(m, 'From', `${p}.From`)),
    to: children(m, 'To').map(readOrgan),
    documentId: text(m, 'DocumentId'),
    code: { codeNumber: text(code, 'CodeNumber'), codeNotation: text(code, 'CodeNotation') },
    promulgationInfo: { place: text(prom, 'Place'), promulgationDate: text(prom, 'PromulgationDate') },
    documentType: { type: int(type, 'Type', `${p}.DocumentType.Type`), typeDetail: int(type, 'TypeDetail', `${p}.DocumentType.TypeDetail`), typeName: text(type, 'TypeName') },
    subject: text(m, 'Subject'),
    content: text(m, 'Content'),
    signerInfo: { competence: text(signer, 'Competence'), position: text(signer, 'Position'), fullName: text(signer, 'FullName') },
    dueDate: text(m, 'DueDate'),
    otherInfo: other
      ? {
          priority: int(other, 'Priority', `${p}.OtherInfo.Priority`) ?? 0,
          sphereOfPromulgation: text(other, 'SphereOfPromulgation'),
          typerNotation: text(other, 'TyperNotation'),
          promulgationAmount: int(other, 'PromulgationAmount', `${p}.OtherInfo.PromulgationAmount`),
          pageAmount: int(other, 'PageAmount', `${p}.OtherInfo.PageAmount`),
          direction: text(other, 'Direction') === undefined ? undefined : text(other, 'Direction') === '1' || text(other, 'Direction') === 'true',
          appendixes: appendixes ? children(appendixes, 'Appendix').map((a) => a.textContent?.trim() ?? '') : [],
        }
      : undefined,
    steeringType: int(m, 'SteeringType', `${p}.SteeringType`) ?? 0,
    toPlaces: toPlaces ? children(toPlaces, 'Place').map((a) => a.textContent?.trim() ?? '') : [],
    responseFor: children(m, 'ResponseFor').map(readResponseFor),
  };
  const h = validate(messageHeaderSchema, raw, p);
  // The id is what statuses refer to, so it is kept as written; a structured one that
  // disagrees with the header is shown to the clerk rather than refused.
  if (h.documentId && documentIdFormOf(h.documentId) === 'structured' && h.documentId !== documentIdOf(h)) {
    notes?.add('documentIdMismatch', { documentId: h.documentId, expected: documentIdOf(h) });
  }
  return { ...h, documentId: h.documentId ?? documentIdOf(h) };
}

/** Parses TraceHeaderList (optional in the wild; defaults when absent). */
export function readTraceHeaderList(header: Element): { traces: TraceHeader[]; bussiness: Bussiness } {
  const list = child(header, 'TraceHeaderList');
  if (!list) return { traces: [], bussiness: validate(bussinessSchema, {}, 'Bussiness') };
  const traces = children(list, 'TraceHeader').map((t, i) => validate(traceHeaderSchema, { organId: text(t, 'OrganId'), timestamp: text(t, 'Timestamp') }, `TraceHeader.${i}`));
  const b = child(list, 'Bussiness');
  const raw = b
    ? {
        documentId: text(b, 'DocumentId'),
        bussinessDocType: int(b, 'BussinessDocType', 'Bussiness.BussinessDocType') ?? 0,
        bussinessDocReason: text(b, 'BussinessDocReason'),
        paper: int(b, 'Paper', 'Bussiness.Paper') ?? 0,
        staffInfo: readStaff(b),
      }
    : {};
  return { traces, bussiness: validate(bussinessSchema, raw, 'Bussiness') };
}

/** Parses the manifest references; undefined when the package has no manifest at all. */
export function readManifest(envelope: Element): AttachmentMeta[] | undefined {
  const body = child(envelope, 'edXMLBody');
  const manifest = body ? child(body, 'edXMLManifest') : undefined;
  if (!manifest) return undefined;
  const out = children(manifest, 'Reference').map((r, i) => {
    const cid = text(r, 'ContentId') ?? '';
    return validate(
      attachmentMetaSchema,
      { contentId: cid.replace(/^cid:/, ''), attachmentName: text(r, 'AttachmentName'), contentType: text(r, 'ContentType'), description: text(r, 'Description') ?? '' },
      `edXMLManifest.Reference.${i}`,
    );
  });
  if (new Set(out.map((m) => m.contentId)).size !== out.length) throw new KysoError('edxmlInvalid', { field: 'edXMLManifest', reason: 'has duplicate ContentId' });
  return out;
}
