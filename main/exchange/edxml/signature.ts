/**
 * The signature state of an edXML message, as every screen shows it: valid, valid with a weak
 * legacy algorithm, unsigned, or invalid with the reason. A `<Signature>` outside the XML-DSig
 * namespace is no signature (the message is unsigned, and a note says why). Two profiles:
 * Kyso's (dsig.ts: envelope by XPath plus one `cid:` digest per attachment) and the plain
 * enveloped signature the field writes (Reference `URI=""` over the whole document, or `#id`
 * of an element), checked here with the document's canonical form streamed (c14n-tail.ts).
 */
import { createHash, verify as cryptoVerify, createPublicKey, X509Certificate, type Hash, type KeyObject } from 'node:crypto';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { C14nCanonicalization, ExclusiveCanonicalization } from 'xml-crypto';
import { isKysoError, KysoError } from '../../api/errors.js';
import type { C14nMode } from './c14n-tail.js';
import { isKysoProfile, verifyKysoSignature, type AttachmentDigest } from './dsig.js';
import { C14N, C14N_COMMENTS, DIGESTS, DSIG_NS, ENVELOPED, EXC_C14N, EXC_C14N_COMMENTS, SIGNATURES, verifyKey } from './dsig-algorithms.js';
import type { Notes } from './notes.js';
import { child, children } from './xml.js';

/** The four states shown everywhere (CLI, registers, Inbox). */
export type SignatureState = 'valid' | 'valid-weak-algorithm' | 'unsigned' | 'invalid';

/** Why a signature is invalid: a KysoError code with its parameters (the message is localized). */
export interface SignatureFailure {
  code: 'edxmlSignatureInvalid' | 'edxmlDigestMismatch' | 'edxmlAttachmentMismatch';
  params: Record<string, string>;
}

/** What the reader found out about a message's signature. */
export interface SignatureReport {
  state: SignatureState;
  /** kyso: envelope + cid digests; xmldsig: enveloped signature over the document or an element. */
  profile?: 'kyso' | 'xmldsig';
  /** Display name of the SignatureMethod (RSA-SHA1, RSA-SHA256, ECDSA-SHA256...). */
  algorithm?: string;
  /** Display names of the DigestMethods. */
  digests?: string[];
  /** The weak legacy algorithms used (SHA-1 based), when any. */
  weak?: string[];
  failure?: SignatureFailure;
  /** DER of the certificate whose key verified the signature, and the other KeyInfo certificates. */
  certificate?: Uint8Array;
  chain?: Uint8Array[];
}

/** The canonical whole document the reader must stream (a `URI=""` reference). */
export interface DocumentStream {
  mode: C14nMode;
  /** Canonical text of everything before the tail (root start tag, envelope...). */
  prefix: string;
  /** Namespaces the root element rendered (the tail canonicalizer continues from them). */
  rootRendered: Map<string, string>;
  hashes: Map<string, Hash>;
}

/** How to check a message's signature once its tail has been read. */
export interface SignaturePlan {
  /** Set when the tail must be canonicalized into these hashes as it streams. */
  stream?: DocumentStream;
  /** The verdict, given the digests of the decoded attachments. */
  finish(attachments: AttachmentDigest[]): SignatureReport;
}

const fail = (reason: string) => new KysoError('edxmlSignatureInvalid', { reason });

function report(e: unknown): SignatureReport {
  if (isKysoError(e) && (e.code === 'edxmlSignatureInvalid' || e.code === 'edxmlDigestMismatch' || e.code === 'edxmlAttachmentMismatch')) {
    return { state: 'invalid', failure: { code: e.code, params: Object.fromEntries(Object.entries(e.params ?? {}).map(([k, v]) => [k, String(v)])) } };
  }
  throw e;
}

/** Signature elements in the places edXML puts them: the header, the envelope, the root. */
function signatureElements(doc: Document, envelope: Element): Element[] {
  const header = children(envelope, 'edXMLHeader')[0];
  const places = [header, envelope, doc.documentElement!].filter((e): e is Element => !!e);
  const out: Element[] = [];
  for (const p of new Set(places)) {
    for (let n = p.firstChild; n; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).localName === 'Signature') out.push(n as Element);
  }
  return out;
}

/** Namespaces in scope at an element from its ancestors (nearest wins), for inclusive c14n. */
function ancestorNamespaces(e: Element): Array<{ prefix: string; namespaceURI: string }> {
  const seen = new Map<string, string>();
  for (let p = e.parentNode; p && p.nodeType === 1; p = p.parentNode) {
    const attrs = (p as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i)!;
      const prefix = a.name === 'xmlns' ? '' : a.name.startsWith('xmlns:') ? a.name.slice(6) : undefined;
      if (prefix !== undefined && !seen.has(prefix)) seen.set(prefix, a.value);
    }
  }
  // An unprefixed element renders its own default namespace; an undeclaration is no namespace node.
  return [...seen].filter(([p, uri]) => uri && !(p === '' && !e.prefix)).map(([prefix, namespaceURI]) => ({ prefix, namespaceURI }));
}

type C14nAlg = C14nCanonicalization | ExclusiveCanonicalization;

function canonicalizer(uri: string): C14nAlg | undefined {
  if (uri === C14N || uri === C14N_COMMENTS) return new C14nCanonicalization();
  if (uri === EXC_C14N || uri === EXC_C14N_COMMENTS) return new ExclusiveCanonicalization();
  return undefined;
}

function canonical(e: Element, alg: C14nAlg): string {
  const el = e as unknown as Parameters<C14nAlg['process']>[0];
  return alg instanceof ExclusiveCanonicalization ? alg.process(el, {}) : alg.process(el, { ancestorNamespaces: ancestorNamespaces(e) });
}

/** Runs `fn` with `sig` taken out of the document (the enveloped-signature transform). */
function withoutSignature<T>(sig: Element, fn: () => T): T {
  const parent = sig.parentNode!;
  const next = sig.nextSibling;
  parent.removeChild(sig);
  try {
    return fn();
  } finally {
    parent.insertBefore(sig, next);
  }
}

/** Canonical form of the whole document (processing instructions before the root, then the root). */
function documentC14n(doc: Document, mode: C14nMode): string {
  let out = '';
  for (let n: Node | null = doc.firstChild; n; n = n.nextSibling) {
    const pi = n as unknown as { target: string; data: string };
    // xmldom keeps the XML declaration as a node: it is not a processing instruction.
    if (n.nodeType === 7 && pi.target !== 'xml') out += `<?${pi.target}${pi.data ? ' ' + pi.data : ''}?>\n`;
    if (n === doc.documentElement) break;
  }
  return out + canonical(doc.documentElement!, mode === 'inclusive' ? new C14nCanonicalization() : new ExclusiveCanonicalization());
}

/** Bindings the root element rendered in its canonical form. */
function rootRendered(root: Element, mode: C14nMode): Map<string, string> {
  const m = new Map<string, string>();
  const attrs = root.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i)!;
    if (mode === 'inclusive') {
      if (a.name === 'xmlns' && a.value) m.set('', a.value);
      else if (a.name.startsWith('xmlns:')) m.set(a.name.slice(6), a.value);
    } else if (a.prefix && a.prefix !== 'xmlns' && a.prefix !== 'xml' && a.namespaceURI) m.set(a.prefix, a.namespaceURI);
  }
  if (mode === 'exclusive' && root.namespaceURI) m.set(root.prefix ?? '', root.namespaceURI);
  return m;
}

interface RefCheck {
  uri: string;
  digest: { hash: string; name: string; weak: boolean };
  expected: Buffer;
  /** The digest computed from the DOM, or undefined for a whole-document reference (streamed). */
  actual?: Buffer;
  coversEnvelope: boolean;
  /** The reference is the whole document: it covers the attachments too. */
  coversDocument: boolean;
}

/**
 * Looks at the message's Signature after the envelope was parsed; `complete` says the DOM holds
 * the whole document (nothing streams after the envelope).
 */
export function planSignature(doc: Document, envelope: Element, notes: Notes, complete: boolean): SignaturePlan {
  const found = signatureElements(doc, envelope);
  for (const s of found) if (s.namespaceURI !== DSIG_NS) notes.add('signatureNotXmlDsig', { namespace: s.namespaceURI ?? '' });
  const dsig = found.filter((s) => s.namespaceURI === DSIG_NS);
  if (!dsig.length) return { finish: () => ({ state: 'unsigned' }) };
  if (dsig.length > 1) return { finish: () => report(fail('more than one Signature')) };
  const sig = dsig[0]!;
  const si = child(sig, 'SignedInfo', DSIG_NS);
  if (!si) return { finish: () => report(fail('no SignedInfo')) };
  if (isKysoProfile(si)) {
    return {
      finish(atts) {
        try {
          const v = verifyKysoSignature(envelope, sig, atts);
          const method = child(si, 'SignatureMethod', DSIG_NS)?.getAttribute('Algorithm') ?? '';
          return { state: 'valid', profile: 'kyso', algorithm: SIGNATURES[method]?.name, digests: ['SHA-256'], certificate: v.certificate, chain: v.chain };
        } catch (e) {
          return { ...report(e), profile: 'kyso' };
        }
      },
    };
  }
  try {
    return planGeneric(doc, envelope, sig, si, complete);
  } catch (e) {
    const r = report(e);
    return { finish: () => ({ ...r, profile: 'xmldsig' }) };
  }
}

function planGeneric(doc: Document, envelope: Element, sig: Element, si: Element, complete: boolean): SignaturePlan {
  const root = doc.documentElement!;
  const ids = new Map<string, Element>();
  const walk = (e: Element) => {
    for (const name of ['Id', 'ID', 'id']) {
      const v = e.getAttribute(name);
      if (v) {
        if (ids.has(v)) throw fail(`two elements with the id ${v.slice(0, 50)}`);
        ids.set(v, e);
      }
    }
    for (let n = e.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) walk(n as Element);
  };
  walk(root);
  let stream: DocumentStream | undefined;
  const refs: RefCheck[] = children(si, 'Reference', DSIG_NS).map((r) => {
    const uri = r.getAttribute('URI') ?? '';
    const digestUri = child(r, 'DigestMethod', DSIG_NS)?.getAttribute('Algorithm') ?? '';
    const digest = DIGESTS[digestUri];
    if (!digest) throw fail(`unsupported digest method ${digestUri.slice(0, 80)}`);
    const expected = Buffer.from(child(r, 'DigestValue', DSIG_NS)?.textContent?.replace(/\s+/g, '') ?? '', 'base64');
    const tr = child(r, 'Transforms', DSIG_NS);
    const algs = tr ? children(tr, 'Transform', DSIG_NS).map((t) => t.getAttribute('Algorithm') ?? '') : [];
    let enveloped = false;
    let c14n = C14N;
    for (const [i, a] of algs.entries()) {
      if (a === ENVELOPED && i === 0) enveloped = true;
      else if (canonicalizer(a) && i === algs.length - 1) c14n = a;
      else throw fail(`unsupported transform ${a.slice(0, 80)}`);
    }
    const mode: C14nMode = c14n === EXC_C14N || c14n === EXC_C14N_COMMENTS ? 'exclusive' : 'inclusive';
    const target = uri === '' ? root : uri.startsWith('#') ? ids.get(uri.slice(1)) : undefined;
    if (!target) throw fail(uri.startsWith('#') ? `no element with the id ${uri.slice(1, 50)}` : `unsupported reference ${uri.slice(0, 80)}`);
    const containsSig = target === sig || isAncestor(target, sig);
    if (containsSig && !enveloped) throw fail('a reference covers the signature itself');
    const coversEnvelope = target === envelope || isAncestor(target, envelope);
    const coversDocument = target === root;
    // URI="" excludes comments; an #id reference keeps them only with a #WithComments method.
    const alg = canonicalizer(uri === '' ? (mode === 'inclusive' ? C14N : EXC_C14N) : c14n)!;
    const text = () => (uri === '' ? documentC14n(doc, mode) : canonical(target, alg));
    if (target !== root || complete) {
      const actual = createHash(digest.hash).update(containsSig ? withoutSignature(sig, text) : text(), 'utf8').digest();
      return { uri, digest, expected, actual, coversEnvelope, coversDocument };
    }
    if (stream && stream.mode !== mode) throw fail('two whole-document references with different canonicalizations');
    if (!stream) {
      const full = containsSig ? withoutSignature(sig, text) : text();
      const closing = `</${root.tagName}>`;
      if (!full.endsWith(closing)) throw fail('cannot canonicalize the document');
      stream = { mode, prefix: full.slice(0, -closing.length), rootRendered: rootRendered(root, mode), hashes: new Map() };
    }
    if (!stream.hashes.has(digest.hash)) stream.hashes.set(digest.hash, createHash(digest.hash).update(stream.prefix, 'utf8'));
    return { uri, digest, expected, coversEnvelope, coversDocument };
  });
  const methodUri = child(si, 'SignatureMethod', DSIG_NS)?.getAttribute('Algorithm') ?? '';
  const siC14n = canonicalizer(child(si, 'CanonicalizationMethod', DSIG_NS)?.getAttribute('Algorithm') ?? '');
  const signedInfo = siC14n ? canonical(si, siC14n) : undefined;
  return {
    stream,
    finish(atts) {
      try {
        const alg = SIGNATURES[methodUri];
        if (!alg) throw fail(`unsupported signature method ${methodUri.slice(0, 80)}`);
        if (signedInfo === undefined) throw fail('unsupported canonicalization of SignedInfo');
        if (!refs.length) throw fail('no Reference');
        const value = Buffer.from(child(sig, 'SignatureValue', DSIG_NS)?.textContent?.replace(/\s+/g, '') ?? '', 'base64');
        const keys = keysOf(sig);
        if (!keys.length) throw fail('no certificate or key to verify with');
        const signer = keys.find((k) => {
          try {
            return cryptoVerify(alg.hash, Buffer.from(signedInfo, 'utf8'), verifyKey(alg, k.key), value);
          } catch {
            return false;
          }
        });
        if (!signer) throw fail('signature value does not verify');
        const digests = new Map<string, Buffer>();
        for (const [h, hash] of stream?.hashes ?? []) digests.set(h, hash.digest());
        for (const r of refs) {
          const actual = r.actual ?? digests.get(r.digest.hash)!;
          if (!actual.equals(r.expected)) throw fail(r.uri === '' ? 'the package was modified after signing' : `element ${r.uri.slice(0, 50)} was modified after signing`);
        }
        if (!refs.some((r) => r.coversEnvelope)) throw fail('the signature does not cover the envelope');
        if (atts.length && !refs.some((r) => r.coversDocument)) throw fail('the signature does not cover the attachments');
        const weak = [...new Set([...(alg.weak ? [alg.name] : []), ...refs.filter((r) => r.digest.weak).map((r) => r.digest.name)])];
        const certs = keys.map((k) => k.der).filter((d): d is Uint8Array => !!d);
        return {
          state: weak.length ? 'valid-weak-algorithm' : 'valid',
          profile: 'xmldsig',
          algorithm: alg.name,
          digests: [...new Set(refs.map((r) => r.digest.name))],
          ...(weak.length ? { weak } : {}),
          certificate: signer.der,
          chain: certs.filter((c) => c !== signer.der),
        };
      } catch (e) {
        return { ...report(e), profile: 'xmldsig' };
      }
    },
  };
}

function isAncestor(a: Element, b: Node): boolean {
  for (let p = b.parentNode; p; p = p.parentNode) if (p === a) return true;
  return false;
}

/** Keys in KeyInfo: each X509Certificate, or an RSAKeyValue. */
function keysOf(sig: Element): Array<{ key: KeyObject; der?: Uint8Array }> {
  const ki = child(sig, 'KeyInfo', DSIG_NS);
  if (!ki) return [];
  const out: Array<{ key: KeyObject; der?: Uint8Array }> = [];
  for (const xd of children(ki, 'X509Data', DSIG_NS)) {
    for (const c of children(xd, 'X509Certificate', DSIG_NS)) {
      const der = new Uint8Array(Buffer.from(c.textContent?.replace(/\s+/g, '') ?? '', 'base64'));
      try {
        out.push({ key: new X509Certificate(Buffer.from(der)).publicKey, der });
      } catch {
        // An unreadable certificate cannot verify anything; another one may.
      }
    }
  }
  const rsa = children(ki, 'KeyValue', DSIG_NS).map((kv) => child(kv, 'RSAKeyValue', DSIG_NS)).find((e) => e);
  if (rsa) {
    const b64url = (name: string) => Buffer.from(child(rsa, name, DSIG_NS)?.textContent?.replace(/\s+/g, '') ?? '', 'base64').toString('base64url');
    try {
      out.push({ key: createPublicKey({ key: { kty: 'RSA', n: b64url('Modulus'), e: b64url('Exponent') }, format: 'jwk' }) });
    } catch {
      // Not a usable RSA key.
    }
  }
  return out;
}
