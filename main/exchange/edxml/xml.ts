/** Small XML helpers for the edXML codec: escaping, element writing, DOM lookups, strict parsing. */
import { DOMParser } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';
import type { z } from 'zod';
import { KysoError } from '../../api/errors.js';
import { EDXML_NS } from './types.js';

/** Escapes text content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\r/g, '&#13;');
}

/** Writes `<edXML:name>text</edXML:name>`, or nothing when value is undefined. */
export function el(name: string, value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  const v = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  return `<edXML:${name}>${esc(v)}</edXML:${name}>`;
}

/** Wraps already-serialized children in an edXML element. */
export function wrap(name: string, inner: string): string {
  return `<edXML:${name}>${inner}</edXML:${name}>`;
}

/** Deepest element nesting the reader accepts (edXML needs 6; the DOM and c14n recurse). */
export const MAX_DEPTH = 64;

/** Refuses nesting deeper than MAX_DEPTH before a DOM is built (a cheap scan of the tags). */
export function checkDepth(xml: string): void {
  let depth = 0;
  const re = /<!--[^]*?-->|<!\[CDATA\[[^]*?\]\]>|<\?[^]*?\?>|<(\/?)([^>]*?)(\/?)>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[2] === undefined || m[2].startsWith('!') || m[2].startsWith('?')) continue;
    if (m[1]) depth--;
    else if (!m[3]) depth++;
    if (depth > MAX_DEPTH) throw new KysoError('edxmlMalformed', { reason: `elements nested deeper than ${MAX_DEPTH}` });
  }
}

/** Parses XML strictly (no DOCTYPE, bounded depth, errors thrown as edxmlMalformed). */
export function parseXml(xml: string): Document {
  // No DTD at all: no entity expansion (billion laughs), no external entities (XXE).
  if (/<!DOCTYPE/i.test(xml)) throw new KysoError('edxmlMalformed', { reason: 'DOCTYPE not allowed' });
  checkDepth(xml);
  let doc: Document;
  try {
    const parser = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') throw new Error(String(msg));
      },
    });
    doc = parser.parseFromString(xml, 'text/xml');
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
    throw new KysoError('edxmlMalformed', { reason });
  }
  if (!doc.documentElement) throw new KysoError('edxmlMalformed', { reason: 'no root element' });
  return doc;
}

/**
 * Child elements of `parent` in the namespace `ns` with this local name. Looking for edXML
 * elements also finds them in no namespace at all: some field packages are written without
 * one (the reader notes it); the vocabulary leaves no doubt what they are.
 */
export function children(parent: Element, name: string, ns: string = EDXML_NS): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const e = n as Element;
      if (e.localName === name && (e.namespaceURI === ns || (ns === EDXML_NS && e.namespaceURI === null))) out.push(e);
    }
  }
  return out;
}

/** The single child element `name`, or undefined (more than one is malformed). */
export function child(parent: Element, name: string, ns: string = EDXML_NS): Element | undefined {
  const c = children(parent, name, ns);
  if (c.length > 1) throw new KysoError('edxmlMalformed', { reason: `duplicate ${name}` });
  return c[0];
}

/** The single child element `name`; missing is reported with the field path. */
export function need(parent: Element, name: string, path: string, ns: string = EDXML_NS): Element {
  const c = child(parent, name, ns);
  if (!c) throw new KysoError('edxmlInvalid', { field: path, reason: 'is missing' });
  return c;
}

/** Text of child `name` (trimmed), or undefined when absent or empty. */
export function text(parent: Element, name: string): string | undefined {
  const c = child(parent, name);
  const v = c?.textContent?.trim();
  return v ? v : undefined;
}

/** Integer text of child `name`; non-numbers are reported. */
export function int(parent: Element, name: string, path: string): number | undefined {
  const v = text(parent, name);
  if (v === undefined) return undefined;
  if (!/^-?\d{1,9}$/.test(v)) throw new KysoError('edxmlInvalid', { field: path, reason: `is not a number (${v.slice(0, 20)})` });
  return Number(v);
}

/** Validates with zod and turns the first issue into a KysoError naming the field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, root: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = [root, ...issue.path.map(String)].join('.');
  throw new KysoError('edxmlInvalid', { field, reason: issue.message });
}
