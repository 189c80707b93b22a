/** The status fields of an edXML header, in either of the field's two shapes. */
import type { Element } from '@xmldom/xmldom';
import { KysoError } from '../../api/errors.js';
import { readOrgan, readResponseFor, readStaff } from './envelope.js';
import { statusMessageSchema, type StatusMessage } from './types.js';
import { child, need, text, validate } from './xml.js';

/** Which of the two shapes a status message came in. */
export type StatusShape = 'messageHeader' | 'messageStatus';

/** The element holding a status in this header, and its shape; undefined for a document. */
export function statusElement(header: Element): { element: Element; shape: StatusShape } | undefined {
  const ms = child(header, 'MessageStatus');
  if (ms) return { element: ms, shape: 'messageStatus' };
  const mh = child(header, 'MessageHeader');
  if (mh && child(mh, 'StatusCode')) return { element: mh, shape: 'messageHeader' };
  return undefined;
}

/** Reads and validates the status fields (either shape). */
export function readStatusFields(element: Element, shape: StatusShape): StatusMessage {
  const p = shape === 'messageStatus' ? 'MessageStatus' : 'MessageHeader';
  const raw = {
    responseFor: readResponseFor(need(element, 'ResponseFor', `${p}.ResponseFor`)),
    from: readOrgan(need(element, 'From', `${p}.From`)),
    statusCode: text(element, 'StatusCode'),
    description: text(element, 'Description') ?? '',
    timestamp: text(element, 'Timestamp'),
    staffInfo: readStaff(element),
  };
  const s = validate(statusMessageSchema, raw, p);
  if (s.statusCode === '02' && !s.description.trim()) throw new KysoError('exStatusReasonRequired');
  return s;
}
