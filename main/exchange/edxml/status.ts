/** edXML status messages (MessageStatus): build signed, parse and verify. */
import type { Signer } from '../../pki/signer.js';
import { KysoError } from '../../api/errors.js';
import { buildSignature, envelopeDigest, findEnvelope, verifyEnvelope } from './dsig.js';
import { organXml, readOrgan, readResponseFor, readStaff, responseForXml, staffXml } from './envelope.js';
import { EDXML_NS, statusMessageSchema, type StatusMessage, type StatusMessageInput } from './types.js';
import { el, need, parseXml, text, validate, wrap } from './xml.js';

/** A parsed status message with the certificate that signed it. */
export interface ParsedStatus extends StatusMessage {
  signerCertificate: Uint8Array;
  signerChain: Uint8Array[];
}

/** Builds a signed status message (02 without a reason is refused here already). */
export async function buildStatus(input: StatusMessageInput, signer: Signer): Promise<string> {
  const s = validate(statusMessageSchema, input, 'MessageStatus');
  if (s.statusCode === '02' && !s.description.trim()) throw new KysoError('exStatusReasonRequired');
  const body =
    wrap('MessageStatus', responseForXml(s.responseFor) + organXml('From', s.from) + el('StatusCode', s.statusCode) + el('Description', s.description) + el('Timestamp', s.timestamp) + staffXml(s.staffInfo));
  const xml = (sig: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}"><edXML:edXMLHeader>${body}${sig}</edXML:edXMLHeader></edXML:edXMLEnvelope>\n`;
  const doc = parseXml(xml(''));
  return xml(await buildSignature(envelopeDigest(findEnvelope(doc)), [], signer));
}

/** Parses, validates and verifies a status message (signature checked cryptographically). */
export function parseStatus(xml: string | Uint8Array): ParsedStatus {
  const doc = parseXml(typeof xml === 'string' ? xml : Buffer.from(xml).toString('utf8'));
  const envelope = findEnvelope(doc);
  const header = need(envelope, 'edXMLHeader', 'edXMLHeader');
  const m = need(header, 'MessageStatus', 'MessageStatus');
  const raw = {
    responseFor: readResponseFor(need(m, 'ResponseFor', 'MessageStatus.ResponseFor')),
    from: readOrgan(need(m, 'From', 'MessageStatus.From')),
    statusCode: text(m, 'StatusCode'),
    description: text(m, 'Description') ?? '',
    timestamp: text(m, 'Timestamp'),
    staffInfo: readStaff(m),
  };
  const s = validate(statusMessageSchema, raw, 'MessageStatus');
  if (s.statusCode === '02' && !s.description.trim()) throw new KysoError('exStatusReasonRequired');
  const sig = verifyEnvelope(doc, []);
  return { ...s, signerCertificate: sig.certificate, signerChain: sig.chain };
}
