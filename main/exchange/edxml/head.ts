/**
 * The first part of a message, up to the end of edXMLEnvelope: where the XML really starts
 * (field files have bytes before the declaration), the DOM of the envelope, and what the
 * streaming tail needs to know about namespaces.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { KysoError } from '../../api/errors.js';
import { findEnvelope } from './dsig.js';
import type { Notes } from './notes.js';
import type { TailContext } from './scanner.js';
import { EDXML_NS } from './types.js';
import { parseXml } from './xml.js';

/** Most bytes skipped before the XML declaration or root; more is not a package. */
export const MAX_LEADING_BYTES = 4096;

/** The end of the envelope, prefixed or not. */
const ENVELOPE_END = /<\/(?:[A-Za-z_][\w.-]*:)?edXMLEnvelope\s*>/;

/** What may still grow into ENVELOPE_END: `<`, `</`, a name, whitespace (bounded: names are short). */
const END_PREFIX = /^<(?:\/[\w.:-]*\s*)?$/;
const MAX_CARRY = 512;

/**
 * Finds the end of the envelope in bytes that arrive in pieces. Each byte is looked at a
 * bounded number of times: only the last, unfinished end tag is carried over to the next piece
 * (searching all bytes so far on every piece made a slowly trickled upload cost the server
 * time quadratic in the envelope's size).
 */
export class EnvelopeEndFinder {
  private carry = '';
  /** Offset in the input of the carry's first byte. */
  private at = 0;

  /** Feeds the next piece; the offset just after the envelope's end tag, or -1 while not seen. */
  push(chunk: Buffer): number {
    const text = this.carry + chunk.toString('latin1');
    const m = ENVELOPE_END.exec(text);
    if (m) return this.at + m.index + m[0].length;
    const lt = text.lastIndexOf('<');
    const tail = lt >= 0 && text.length - lt <= MAX_CARRY ? text.slice(lt) : '';
    this.carry = END_PREFIX.test(tail) ? tail : '';
    this.at += text.length - this.carry.length;
    return -1;
  }
}

/**
 * Offset where the XML starts. A UTF-8 BOM right before it is legal XML; anything else before
 * the declaration (stray characters, whitespace, a BOM after them) is skipped and counted.
 */
export function xmlStart(buf: Buffer): { offset: number; skipped: number } {
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  if (buf[bom] === 0x3c) return { offset: bom, skipped: 0 };
  const window = buf.subarray(0, MAX_LEADING_BYTES + 5);
  let at = window.indexOf('<?xml');
  if (at < 0) {
    const m = /<[A-Za-z_]/.exec(window.toString('latin1'));
    at = m ? m.index : -1;
  }
  if (at < 0 || at > MAX_LEADING_BYTES) throw new KysoError('edxmlMalformed', { reason: `no XML declaration or root element in the first ${MAX_LEADING_BYTES} bytes` });
  return { offset: at, skipped: at };
}

/** Qualified name of the root element of a head. */
export function rootName(head: string): string {
  const body = head.replace(/^\uFEFF?<\?xml[^]*?\?>/, '');
  const m = /<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)[\s>/]/.exec(body.replace(/<!--[^]*?-->|<\?[^]*?\?>/g, ''));
  if (!m) throw new KysoError('edxmlMalformed', { reason: 'no root element' });
  return m[1]!;
}

/** The parsed head of a message. */
export interface Head {
  doc: Document;
  envelope: Element;
  /** What the tail scanner starts from. */
  tail: TailContext;
  /** True when the DOM holds the whole document (the envelope is the root). */
  complete: boolean;
}

function declarations(e: Element): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < e.attributes.length; i++) {
    const a = e.attributes.item(i)!;
    if (a.name === 'xmlns') m.set('', a.value);
    else if (a.name.startsWith('xmlns:')) m.set(a.name.slice(6), a.value);
  }
  return m;
}

/** Parses the head (XML from its start to the end of the envelope) and notes what it tolerated. */
export function parseHead(head: string, notes: Notes): Head {
  const root = rootName(head);
  const complete = root.slice(root.indexOf(':') + 1) === 'edXMLEnvelope';
  const doc = parseXml(complete ? head : `${head}</${root}>`);
  const envelope = findEnvelope(doc);
  const recoverable = new Set<string>();
  let unqualified: string | undefined;
  const walk = (e: Element) => {
    for (const [p, uri] of declarations(e)) if (p && uri === EDXML_NS) recoverable.add(p);
    if (e.namespaceURI === null) unqualified ??= e.localName ?? undefined;
    for (let n = e.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) walk(n as Element);
  };
  walk(doc.documentElement!);
  if (unqualified) notes.add('noNamespace', { element: unqualified });
  const rootEl = doc.documentElement!;
  return { doc, envelope, complete, tail: { root: complete ? undefined : root, rootScope: declarations(rootEl), recoverable } };
}
