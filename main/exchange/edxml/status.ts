/**
 * edXML status messages. Read in both shapes of the field: Kyso's former `MessageStatus`
 * element, and the national library's, where From, ResponseFor, StaffInfo, StatusCode,
 * Description and Timestamp sit directly in MessageHeader. Written in the library's shape
 * only (its status parser fails on MessageStatus), under an `<edXML>` root like packages.
 */
import { KysoError } from '../../api/errors.js';
import type { Signer } from '../../pki/signer.js';
import { DEFAULT_LIMITS } from '../protocol.js';
import { buildSignature, envelopeDigest, findEnvelope } from './dsig.js';
import { organXml, responseForXml, staffXml } from './envelope.js';
import { readEdxml, type ParsedStatusMessage, type ReadOptions, type Signed } from './reader.js';
import { statusDescription } from './status-codes.js';
import { EDXML_NS, statusMessageSchema, type StatusMessageInput } from './types.js';
import { el, parseXml, validate, wrap } from './xml.js';

export { statusElement, readStatusFields, type StatusShape } from './status-fields.js';

/**
 * Builds a signed status message in the national library's shape. Description is the reason
 * when given (02 refuses to go without one), else the code's standard Vietnamese sentence.
 * `signer` null writes it unsigned: the gateway to the national axis reports 01 (arrived) for
 * its local bodies, which have no key on the server; readers show such a status as unsigned.
 */
export async function buildStatus(input: StatusMessageInput, signer: Signer | null): Promise<string> {
  const s = validate(statusMessageSchema, input, 'MessageHeader');
  if (s.statusCode === '02' && !s.description.trim()) throw new KysoError('exStatusReasonRequired');
  const body = wrap(
    'MessageHeader',
    organXml('From', s.from) + responseForXml(s.responseFor) + staffXml(s.staffInfo) + el('StatusCode', s.statusCode) +
      el('Description', statusDescription(s.statusCode, s.description)) + el('Timestamp', s.timestamp),
  );
  const xml = (sig: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="${EDXML_NS}"><edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}"><edXML:edXMLHeader>${body}${sig}</edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>\n`;
  if (!signer) return xml('');
  const doc = parseXml(xml(''));
  return xml(await buildSignature(envelopeDigest(findEnvelope(doc)), [], signer));
}

/** Options of parseStatus: the signature policy (default: a valid signature is required). */
export type StatusOptions = Pick<ReadOptions, 'signature'> & { maxStatusBytes?: number };

/**
 * Parses, validates and verifies a status message of either shape. With the default policy a
 * missing or invalid signature is an error; the signer's certificate is then always there.
 */
export function parseStatus(xml: string | Uint8Array, opts?: StatusOptions & { signature?: 'require' }): Promise<Signed<ParsedStatusMessage>>;
export function parseStatus(xml: string | Uint8Array, opts: StatusOptions): Promise<ParsedStatusMessage>;
export async function parseStatus(xml: string | Uint8Array, opts: StatusOptions = {}): Promise<ParsedStatusMessage> {
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : Buffer.from(xml);
  const max = opts.maxStatusBytes ?? DEFAULT_LIMITS.maxStatusBytes;
  if (bytes.length > max) throw new KysoError('edxmlTooLarge', { limit: max });
  // A status has no attachments: nothing is written to disk, so no folder is needed.
  const m = await readEdxml([bytes], { tmpDir: '', discardAttachments: true, maxPackageBytes: max, signature: opts.signature });
  if (m.kind !== 'status') throw new KysoError('edxmlInvalid', { field: 'MessageHeader.StatusCode', reason: 'is missing (this is a document package, not a status message)' });
  return m;
}
