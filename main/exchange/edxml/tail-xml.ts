/**
 * The pieces of XML the streaming part of the reader (everything after the envelope) needs:
 * strict entity decoding (no DTD, so only the five predefined entities and character
 * references), end-of-line normalization across chunk boundaries, start-tag parsing, and
 * namespace scopes. Strict on purpose: anything a conforming parser would refuse is refused.
 */
import { KysoError } from '../../api/errors.js';

const malformed = (reason: string) => new KysoError('edxmlMalformed', { reason });

const isXmlChar = (c: number) => c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);

/** Decodes the five predefined entities and character references; anything else is malformed. */
export function decodeStrict(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&]{0,12});?/g, (m, e: string) => {
    if (!m.endsWith(';')) throw malformed('"&" not starting an entity or character reference');
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const ref = /^#(?:x([0-9a-fA-F]{1,6})|(\d{1,7}))$/.exec(e);
    if (!ref) throw malformed(`undeclared entity &${e.slice(0, 20)}; (no DTD is allowed)`);
    const cp = ref[1] !== undefined ? parseInt(ref[1], 16) : parseInt(ref[2]!, 10);
    if (!isXmlChar(cp)) throw malformed('character reference to a character XML forbids');
    return String.fromCodePoint(cp);
  });
}

/**
 * Character data arriving in pieces: returns the decoded text of each piece, holding back a
 * reference cut by a chunk boundary and a CR that may be followed by LF (XML §2.11: CRLF and
 * lone CR are read as LF; `&#13;` stays a CR).
 */
export class XmlTextStream {
  private carry = '';

  /** Decodes the next piece of the current text node. */
  push(raw: string): string {
    let s = this.carry + raw;
    this.carry = '';
    const amp = s.lastIndexOf('&');
    if (amp >= 0 && s.indexOf(';', amp) < 0) {
      if (s.length - amp > 12) throw malformed('"&" not starting an entity or character reference');
      this.carry = s.slice(amp);
      s = s.slice(0, amp);
    } else if (s.endsWith('\r')) {
      this.carry = '\r';
      s = s.slice(0, -1);
    }
    return decodeStrict(s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s);
  }

  /** Ends the text node (a tag follows): what was held back. */
  flush(): string {
    const c = this.carry;
    this.carry = '';
    if (c === '\r') return '\n';
    if (c) throw malformed('"&" not starting an entity or character reference');
    return '';
  }
}

/** An attribute as written: qualified name and its normalized, decoded value. */
export interface RawAttr {
  name: string;
  value: string;
}

/** A start tag: element name, attributes in document order, and whether it is empty (`<a/>`). */
export interface StartTag {
  name: string;
  attrs: RawAttr[];
  selfClosing: boolean;
}

const NAME = '[A-Za-z_][\\w.-]*(?::[A-Za-z_][\\w.-]*)?';
const TAG_NAME = new RegExp(`^(${NAME})`);
const ATTR = new RegExp(`^\\s+(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`);

/** Parses the inside of a start tag (between `<` and `>`); malformed tags are refused. */
export function parseStartTag(t: string): StartTag {
  const m = TAG_NAME.exec(t);
  if (!m) throw malformed('bad tag');
  const name = m[1]!;
  let rest = t.slice(name.length);
  const selfClosing = rest.endsWith('/');
  if (selfClosing) rest = rest.slice(0, -1);
  const attrs: RawAttr[] = [];
  for (;;) {
    const a = ATTR.exec(rest);
    if (!a) break;
    const raw = a[2] ?? a[3] ?? '';
    // Attribute-value normalization (XML §3.3.3): literal whitespace becomes a space, references stay.
    const value = decodeStrict(raw.replace(/\r\n|[\r\n\t]/g, ' '));
    if (attrs.some((x) => x.name === a[1])) throw malformed(`duplicate attribute ${a[1]!.slice(0, 50)}`);
    attrs.push({ name: a[1]!, value });
    rest = rest.slice(a[0].length);
  }
  if (rest.trim()) throw malformed(`bad tag <${name.slice(0, 50)}>`);
  return { name, attrs, selfClosing };
}

/** Prefix of a qualified name ('' when unprefixed). */
export const prefixOf = (q: string) => (q.includes(':') ? q.slice(0, q.indexOf(':')) : '');
/** Local part of a qualified name. */
export const localOf = (q: string) => q.slice(q.indexOf(':') + 1);

/** Namespace declarations of a tag: prefix ('' = default) to URI ('' = undeclared default). */
export function declarationsOf(tag: StartTag): Map<string, string> {
  const d = new Map<string, string>();
  for (const a of tag.attrs) {
    if (a.name === 'xmlns') d.set('', a.value);
    else if (a.name.startsWith('xmlns:')) {
      if (!a.value) throw malformed(`empty namespace for prefix ${a.name.slice(6, 56)}`);
      d.set(a.name.slice(6), a.value);
    }
  }
  return d;
}

/** In-scope namespace bindings of the open elements, innermost last. */
export class NsScope {
  private readonly stack: Map<string, string>[];

  constructor(outer: Map<string, string>) {
    this.stack = [outer];
  }

  /** Enters an element with its own declarations. */
  push(decls: Map<string, string>): void {
    this.stack.push(decls);
  }

  /** Leaves the innermost element. */
  pop(): void {
    if (this.stack.length > 1) this.stack.pop();
  }

  /** The URI bound to a prefix ('' = default namespace); undefined when unbound. */
  lookup(prefix: string): string | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const v = this.stack[i]!.get(prefix);
      if (v !== undefined) return v;
    }
    return prefix === 'xml' ? 'http://www.w3.org/XML/1998/namespace' : undefined;
  }
}

/** Canonical XML escaping of character data (C14N 1.0 §2.3). */
export function c14nText(s: string): string {
  return /[&<>\r]/.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;') : s;
}

/** Canonical XML escaping of an attribute value. */
export function c14nAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
}
