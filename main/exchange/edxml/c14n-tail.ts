/**
 * Canonical XML (C14N 1.0, inclusive or exclusive, without comments) of the part of a package
 * after the envelope, produced while it streams by: a signature whose Reference covers the
 * whole document (`URI=""`, what field systems and xmlsec1 write) is checked without holding
 * gigabytes of base64 in memory. The envelope part comes from the DOM (xml-crypto); this
 * continues it, so both must agree on what the root element already rendered.
 *
 * An element whose prefix had no declaration in scope (the field's `edXML:AttachmentEncoded`,
 * recovered by the scanner) has no namespace node to render: it is written as it stands, which
 * is what a DOM-based signer (libxml2, xmlsec1) produced for it.
 */
import { c14nAttr, c14nText, prefixOf, localOf, type NsScope, type StartTag } from './tail-xml.js';

/** Which canonicalization the Reference asked for. */
export type C14nMode = 'inclusive' | 'exclusive';

/** Streams the canonical form of tail elements and text to `out`. */
export class TailCanonicalizer {
  /** Bindings rendered by each open output element, innermost last. */
  private readonly rendered: Map<string, string>[];

  constructor(
    private readonly mode: C14nMode,
    rootRendered: Map<string, string>,
    private readonly out: (s: string) => void,
  ) {
    this.rendered = [rootRendered];
  }

  private renderedValue(prefix: string): string {
    for (let i = this.rendered.length - 1; i >= 0; i--) {
      const v = this.rendered[i]!.get(prefix);
      if (v !== undefined) return v;
    }
    return '';
  }

  /** A start tag; `scope` already holds its own declarations, `own` are those declarations. */
  start(tag: StartTag, own: Map<string, string>, scope: NsScope): void {
    const render = new Map<string, string>();
    if (this.mode === 'inclusive') {
      for (const [p, uri] of own) if (this.renderedValue(p) !== uri) render.set(p, uri);
    } else {
      const used = new Set([prefixOf(tag.name)]);
      for (const a of tag.attrs) {
        const p = prefixOf(a.name);
        if (p && p !== 'xmlns' && p !== 'xml') used.add(p);
      }
      for (const p of used) {
        const uri = scope.lookup(p) ?? (p === '' ? '' : undefined);
        if (uri !== undefined && this.renderedValue(p) !== uri) render.set(p, uri);
      }
    }
    const nsPart = [...render.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([p, uri]) => (p ? ` xmlns:${p}="${c14nAttr(uri)}"` : ` xmlns="${c14nAttr(uri)}"`))
      .join('');
    const attrs = tag.attrs
      .filter((a) => a.name !== 'xmlns' && !a.name.startsWith('xmlns:'))
      .map((a) => ({ a, ns: prefixOf(a.name) ? scope.lookup(prefixOf(a.name)) ?? '' : '', local: localOf(a.name) }))
      .sort((x, y) => (x.ns !== y.ns ? (x.ns < y.ns ? -1 : 1) : x.local < y.local ? -1 : x.local > y.local ? 1 : 0))
      .map(({ a }) => ` ${a.name}="${c14nAttr(a.value)}"`)
      .join('');
    this.out(`<${tag.name}${nsPart}${attrs}>`);
    this.rendered.push(render);
    if (tag.selfClosing) this.end(tag.name);
  }

  /** An end tag. */
  end(name: string): void {
    this.rendered.pop();
    this.out(`</${name}>`);
  }

  /** Decoded character data inside an element. */
  text(decoded: string): void {
    if (decoded) this.out(c14nText(decoded));
  }
}
