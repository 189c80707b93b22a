/**
 * Finds the signer certificate of an edXML package in its raw bytes, before the envelope is
 * parsed: the server refuses a signer who is not a registered user of the sending body before
 * it spends seconds building the DOM of (and canonicalizing) an envelope of up to 4 MiB.
 *
 * A tokenizer, not a search: it skips comments, CDATA and processing instructions, resolves
 * namespace prefixes and follows exactly the path the verifier reads
 * (edXMLEnvelope/edXMLHeader/ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate, first
 * child of each, the envelope being the root or the edXML root's child), so a certificate
 * placed anywhere else (a decoy in a comment or another element) is not the one checked. The
 * verifier still checks the certificate it finds after the parse: this only orders the work.
 */
import { KysoError } from '../main/api/errors.js';
import { EDXML_NS } from '../main/exchange/edxml/types.js';

const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** The element path to the signer certificates, below the envelope (steps 0..3). */
const PATH: [string, string][] = [['edXMLHeader', EDXML_NS], ['Signature', DSIG_NS], ['KeyInfo', DSIG_NS], ['X509Data', DSIG_NS]];
/** Steps above PATH: the edXML root holding the envelope, and the envelope. */
const ROOT = -2;
const ENVELOPE = -1;
const X509DATA = 3;

interface Open {
  qname: string;
  ns: Map<string, string>;
  /** Where on the path this element stands (ROOT, ENVELOPE, 0..3), undefined when off it. */
  step?: number;
  /** Names of the path's children already seen below this element (only the first one counts). */
  seen: Set<string>;
  cert?: boolean;
}

/** What the scan found: the signer certificate and the rest of KeyInfo (the chain), DER. */
export interface ScannedSigner {
  certificate: Uint8Array;
  chain: Uint8Array[];
}

const START = /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>$/;
const END = /^<\/([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*>$/;
const ATTR = /([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')/g;

function decodeText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e]!,
  );
}

const malformed = (reason: string) => new KysoError('edxmlMalformed', { reason });

/** Where the tokenizer is: character data, the first characters of markup, or inside one kind of markup. */
type Mode = 'text' | 'open' | 'tag' | 'comment' | 'cdata' | 'pi';
/** What ends each kind of markup that is skipped (or, for CDATA, read as text). */
const CLOSE = { comment: '-->', cdata: ']]>', pi: '?>' } as const;
/** Longest character reference held back at the end of a piece (a longer one is taken as written). */
const MAX_REF = 64;

/**
 * Incremental scanner: `push` the package bytes as they arrive; it returns the signer once
 * the Signature element has closed, undefined while it needs more. Throws (edxmlMalformed /
 * edxmlSignatureInvalid) when the bytes cannot hold a signer where the verifier looks.
 *
 * Each byte is looked at a bounded number of times: nothing already scanned is searched again
 * when the next piece arrives (an upload trickled a few bytes at a time would otherwise cost
 * the server time quadratic in the envelope's size).
 */
export class EnvelopeSignerScanner {
  private readonly stack: Open[] = [];
  private certs: string[] = [];
  private current: string | null = null;
  private rootSeen = false;
  /** Depth inside a subtree off the path (0: on the path). */
  private offDepth = 0;
  private mode: Mode = 'text';
  /** The start of a markup not yet classified (`<`, `<!`, `<![CDA`...). */
  private opening = '';
  /** The pieces of the tag being read. */
  private tagParts: string[] = [];
  /** Quote character open inside the tag being read (0: none). */
  private quote = 0;
  /** The last characters of a comment, CDATA section or PI: its end may be split across pieces. */
  private held = '';
  /** Certificate text held back: a character reference that the next piece may complete. */
  private ref = '';

  /** Feeds more bytes; returns the signer once found. */
  push(chunk: Uint8Array): ScannedSigner | undefined {
    // latin1: names, namespaces and base64 are ASCII; other text is skipped, never decoded.
    const s = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    let i = 0;
    while (i < s.length) {
      if (this.mode === 'text') {
        const lt = s.indexOf('<', i);
        if (this.current !== null) this.addText(s.slice(i, lt < 0 ? s.length : lt), lt >= 0);
        if (lt < 0) return undefined;
        this.mode = 'open';
        this.opening = '<';
        i = lt + 1;
      } else if (this.mode === 'open') {
        i = this.classify(s, i);
      } else if (this.mode === 'tag') {
        const end = this.tagEnd(s, i);
        this.tagParts.push(s.slice(i, end < 0 ? s.length : end));
        if (end < 0) return undefined;
        i = end;
        const raw = this.tagParts.join('');
        this.tagParts = [];
        this.mode = 'text';
        const found = this.tag(raw);
        if (found) return found;
      } else {
        const close = CLOSE[this.mode];
        const w = this.held + s.slice(i);
        const at = w.indexOf(close);
        const body = at < 0 ? w.slice(0, Math.max(0, w.length - close.length + 1)) : w.slice(0, at);
        if (this.mode === 'cdata') this.addRaw(body);
        if (at < 0) {
          this.held = w.slice(body.length);
          return undefined;
        }
        i += at + close.length - this.held.length;
        this.held = '';
        this.mode = 'text';
      }
    }
    return undefined;
  }

  /** The body ended before the signer was found. */
  end(): never {
    throw new KysoError('edxmlMalformed', { reason: 'no complete edXMLEnvelope' });
  }

  /** Reads the first characters of a markup until its kind is known; returns where reading goes on. */
  private classify(s: string, i: number): number {
    const before = this.opening.length;
    const o = (this.opening += s.slice(i, i + 9 - before));
    // The markup's opening is `length` characters of `o`; what follows is read in the new mode.
    const next = (mode: Mode, length: number): number => {
      this.mode = mode;
      this.opening = '';
      if (mode === 'tag') this.tagParts = ['<'];
      return i + length - before;
    };
    if (o[1] === '?') return next('pi', 2);
    if (o[1] !== '!') return next('tag', 1);
    if (o.startsWith('<!--')) return next('comment', 4);
    if (o.startsWith('<![CDATA[')) return next('cdata', 9);
    // Still the start of a comment or CDATA section: the piece is used up, wait for the next.
    if ('<!--'.startsWith(o) || '<![CDATA['.startsWith(o)) return s.length;
    throw malformed('DOCTYPE not allowed');
  }

  /** Index just after the `>` ending the tag (quotes respected), or -1 when it is not in this piece. */
  private tagEnd(s: string, from: number): number {
    let q = this.quote;
    for (let i = from; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (q) {
        if (c === q) q = 0;
      } else if (c === 34 || c === 39) q = c;
      else if (c === 62) {
        this.quote = 0;
        return i + 1;
      }
    }
    this.quote = q;
    return -1;
  }

  /** Certificate text; a reference cut at the end of a piece waits for the next (`last`: markup follows). */
  private addText(s: string, last: boolean): void {
    let text = this.ref + s;
    this.ref = '';
    const amp = text.lastIndexOf('&');
    if (!last && amp >= 0 && text.length - amp <= MAX_REF && !text.includes(';', amp)) {
      this.ref = text.slice(amp);
      text = text.slice(0, amp);
    }
    this.current += decodeText(text);
  }

  /** CDATA content: taken as written. */
  private addRaw(s: string): void {
    if (this.current !== null) this.current += s;
  }

  /** Handles one start or end tag; returns the signer when an element of the path closes. */
  private tag(raw: string): ScannedSigner | undefined {
    const selfClosing = raw.endsWith('/>');
    if (this.offDepth > 0) {
      // Inside a subtree off the path: only its nesting matters (the parser checks the rest).
      if (raw[1] === '/') this.offDepth--;
      else if (!selfClosing) this.offDepth++;
      return undefined;
    }
    if (raw[1] === '/') {
      const close = END.exec(raw);
      const open = this.stack.pop();
      if (!close || !open || close[1] !== open.qname) throw malformed('unbalanced end tag');
      return this.closed(open);
    }
    const parent = this.stack.at(-1);
    // Most elements are off the path: decided by local name before anything else is parsed.
    if (parent && !this.wanted(parent, raw)) {
      if (!selfClosing) this.offDepth = 1;
      return undefined;
    }
    const m = START.exec(raw);
    if (!m) throw malformed('malformed tag');
    const qname = m[1]!;
    let ns = parent?.ns ?? new Map<string, string>();
    if (m[2]!.includes('xmlns')) {
      for (const a of m[2]!.matchAll(ATTR)) {
        const name = a[1]!;
        if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
        if (ns === parent?.ns) ns = new Map(ns);
        ns.set(name === 'xmlns' ? '' : name.slice(6), decodeText(a[2]!.slice(1, -1)));
      }
    }
    const colon = qname.indexOf(':');
    const prefix = colon < 0 ? '' : qname.slice(0, colon);
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    const uri = ns.get(prefix) ?? (prefix ? undefined : '');
    if (uri === undefined) throw malformed(`undeclared prefix ${prefix}`);
    const open: Open = { qname, ns, seen: new Set() };
    if (!parent) {
      if (this.rootSeen) throw malformed('content after the root element');
      this.rootSeen = true;
      if (uri !== EDXML_NS) throw malformed('root is not in the edXML namespace');
      if (local === 'edXMLEnvelope') open.step = ENVELOPE;
      else if (local === 'edXML') open.step = ROOT;
      else throw malformed('no edXMLEnvelope');
    } else {
      // The one child the verifier reads below this element of the path (parent.step is set:
      // only path elements are on the stack, a certificate's own children are off it).
      const step = parent.step;
      const want = this.want(step);
      const onPath = !!want && local === want[0] && uri === want[1] && (step === X509DATA || !parent.seen.has(local));
      if (!onPath) {
        if (!selfClosing) this.offDepth = 1;
        return undefined;
      }
      if (step === X509DATA) {
        open.cert = true;
        this.current = '';
      } else {
        parent.seen.add(local);
        open.step = step === ROOT ? ENVELOPE : step === ENVELOPE ? 0 : step! + 1;
      }
    }
    if (selfClosing) return this.closed(open);
    this.stack.push(open);
    return undefined;
  }

  /** The child the verifier reads below a path element of this step: [local name, namespace]. */
  private want(step: number | undefined): readonly [string, string] | undefined {
    if (step === undefined) return undefined;
    if (step === ROOT) return ['edXMLEnvelope', EDXML_NS];
    if (step === ENVELOPE) return PATH[0];
    if (step === X509DATA) return ['X509Certificate', DSIG_NS];
    return PATH[step + 1];
  }

  /** Whether the element of this start tag may be the path's next step below `parent` (by local name). */
  private wanted(parent: Open, raw: string): boolean {
    const want = this.want(parent.step);
    if (!want) return false;
    let end = 1;
    let colon = 0;
    for (; end < raw.length; end++) {
      const c = raw.charCodeAt(end);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47 || c === 62) break;
      if (c === 58) colon = end;
    }
    const start = colon ? colon + 1 : 1;
    return end - start === want[0].length && raw.startsWith(want[0], start);
  }

  /**
   * An element of the path ended. A certificate's text is kept; once any other element of
   * the path ends (the X509Data, or earlier when something on the way is missing), the
   * search is over.
   */
  private closed(open: Open): ScannedSigner | undefined {
    if (open.cert) {
      this.certs.push(this.current ?? '');
      this.current = null;
      return undefined;
    }
    return this.result();
  }

  private result(): ScannedSigner {
    const der = this.certs.map((c) => new Uint8Array(Buffer.from(c.replace(/\s+/g, ''), 'base64')));
    if (!der[0]?.length) throw new KysoError('edxmlSignatureInvalid', { reason: 'no signer certificate' });
    return { certificate: der[0], chain: der.slice(1) };
  }
}

/**
 * Passes a package body through unchanged, but holds it until `check` has accepted the signer
 * found by the scanner (at most `maxHeld` bytes are held: the envelope limit).
 */
export async function* signerCheckedFirst(
  body: AsyncIterable<Buffer | Uint8Array | string>,
  maxHeld: number,
  check: (signer: ScannedSigner) => Promise<void>,
): AsyncGenerator<Buffer> {
  const scanner = new EnvelopeSignerScanner();
  const held: Buffer[] = [];
  let heldBytes = 0;
  let checked = false;
  for await (const raw of body) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (checked) {
      yield chunk;
      continue;
    }
    held.push(chunk);
    heldBytes += chunk.length;
    const signer = scanner.push(chunk);
    if (signer) {
      await check(signer);
      checked = true;
      for (const h of held.splice(0)) yield h;
      continue;
    }
    if (heldBytes > maxHeld) throw new KysoError('edxmlTooLarge', { limit: maxHeld });
  }
  if (!checked) scanner.end();
}
