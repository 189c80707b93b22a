/**
 * Kyso's XML-DSig profile over the edXML envelope, computed by hand around an async Signer (a
 * token cannot sign through xml-crypto's synchronous API). Strict profile documented in
 * ../README.md: exc-c14n, one enveloped Reference to the envelope, one `cid:` Reference per
 * attachment. Signatures of other systems are verified by signature.ts.
 */
import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { KysoError } from '../../api/errors.js';
import type { Signer, SignatureScheme } from '../../pki/signer.js';
import { DSIG_NS, ENVELOPED, EXC_C14N, SIGNATURES, verifyKey, XPATH } from './dsig-algorithms.js';
import { child, children, parseXml } from './xml.js';
import { EDXML_NS } from './types.js';

export { DSIG_NS } from './dsig-algorithms.js';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
/** The XPath of Kyso's envelope reference. */
export const ENVELOPE_XPATH = 'ancestor-or-self::edXML:edXMLEnvelope';

const methodOf: Record<SignatureScheme, string> = {
  'RSA-PKCS1': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'RSA-PSS': 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
  ECDSA: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
};

/** Digest of one attachment, bound into SignedInfo as `cid:<contentId>`. */
export interface AttachmentDigest {
  contentId: string;
  sha256: Buffer;
}

/** Exclusive canonical form of an element. */
export function excC14n(e: Element): string {
  return new ExclusiveCanonicalization().process(e as unknown as Parameters<ExclusiveCanonicalization['process']>[0], {});
}

/** Finds edXMLEnvelope (the root itself, or a child of the edXML root). */
export function findEnvelope(doc: Document): Element {
  const root = doc.documentElement!;
  // No namespace at all is accepted (and noted by the reader): the vocabulary is unambiguous.
  if (root.namespaceURI !== EDXML_NS && root.namespaceURI !== null) throw new KysoError('edxmlMalformed', { reason: 'root is not in the edXML namespace' });
  if (root.localName === 'edXMLEnvelope') return root;
  const env = root.localName === 'edXML' ? child(root, 'edXMLEnvelope') : undefined;
  if (!env) throw new KysoError('edxmlMalformed', { reason: 'no edXMLEnvelope' });
  return env;
}

/** SHA-256 of the envelope's exc-c14n with its Signature removed (the enveloped transform). */
export function envelopeDigest(envelope: Element): Buffer {
  const header = child(envelope, 'edXMLHeader');
  const sig = header ? child(header, 'Signature', DSIG_NS) : undefined;
  if (sig) header!.removeChild(sig);
  const out = createHash('sha256').update(excC14n(envelope), 'utf8').digest();
  if (sig) header!.appendChild(sig);
  return out;
}

function pickScheme(signer: Signer): SignatureScheme {
  if (signer.keyType === 'EC') return 'ECDSA';
  return signer.schemes.includes('RSA-PKCS1') ? 'RSA-PKCS1' : 'RSA-PSS';
}

/** DER ECDSA-Sig-Value -> r||s of the curve's size (what XML-DSig carries). */
export function derToP1363(der: Uint8Array, size: number): Buffer {
  const b = Buffer.from(der);
  let i = 2;
  if (b[1]! & 0x80) i = 2 + (b[1]! & 0x7f);
  const readInt = (): Buffer => {
    if (b[i] !== 0x02) throw new Error('bad ECDSA signature');
    const len = b[i + 1]!;
    const v = b.subarray(i + 2, i + 2 + len);
    i += 2 + len;
    const trimmed = v[0] === 0 ? v.subarray(1) : v;
    return Buffer.concat([Buffer.alloc(size - trimmed.length), trimmed]);
  };
  return Buffer.concat([readInt(), readInt()]);
}

function signedInfoXml(method: string, envDigest: Buffer, atts: AttachmentDigest[]): string {
  const ref = (uri: string, transforms: string, digest: Buffer) =>
    `<Reference URI="${uri}">${transforms}<DigestMethod Algorithm="${SHA256}"/><DigestValue>${digest.toString('base64')}</DigestValue></Reference>`;
  const envTransforms =
    `<Transforms><Transform Algorithm="${ENVELOPED}"/><Transform Algorithm="${XPATH}"><XPath xmlns:edXML="${EDXML_NS}">${ENVELOPE_XPATH}</XPath></Transform>` +
    `<Transform Algorithm="${EXC_C14N}"/></Transforms>`;
  return (
    `<SignedInfo><CanonicalizationMethod Algorithm="${EXC_C14N}"/><SignatureMethod Algorithm="${method}"/>` +
    ref('', envTransforms, envDigest) +
    atts.map((a) => ref(`cid:${a.contentId}`, '', a.sha256)).join('') +
    `</SignedInfo>`
  );
}

/** Builds the `<Signature>` element (serialized) over an envelope digest and attachment digests. */
export async function buildSignature(envDigest: Buffer, atts: AttachmentDigest[], signer: Signer): Promise<string> {
  const scheme = pickScheme(signer);
  const si = signedInfoXml(methodOf[scheme], envDigest, atts);
  // Canonicalize SignedInfo as it will sit in the document (inside a default-ns Signature).
  const doc = parseXml(`<Signature xmlns="${DSIG_NS}">${si}</Signature>`);
  const siEl = child(doc.documentElement!, 'SignedInfo', DSIG_NS)!;
  const raw = await signer.sign(Buffer.from(excC14n(siEl), 'utf8'), 'SHA-256', scheme);
  let value: Buffer = Buffer.from(raw);
  if (scheme === 'ECDSA') {
    const bits = new X509Certificate(Buffer.from(signer.certificate)).publicKey.asymmetricKeyDetails?.namedCurve;
    value = derToP1363(raw, bits === 'secp384r1' ? 48 : bits === 'secp521r1' ? 66 : 32);
  }
  const certs = [signer.certificate, ...signer.chain].map((c) => `<X509Certificate>${Buffer.from(c).toString('base64')}</X509Certificate>`).join('');
  return `<Signature xmlns="${DSIG_NS}">${si}<SignatureValue>${value.toString('base64')}</SignatureValue><KeyInfo><X509Data>${certs}</X509Data></KeyInfo></Signature>`;
}

/** Result of a verified envelope signature. */
export interface VerifiedSignature {
  certificate: Uint8Array;
  chain: Uint8Array[];
}

function bad(reason: string): KysoError {
  return new KysoError('edxmlSignatureInvalid', { reason });
}

function algAttr(parent: Element, name: string): string {
  const e = child(parent, name, DSIG_NS);
  if (!e) throw bad(`${name} missing`);
  return e.getAttribute('Algorithm') ?? '';
}

/** True when a SignedInfo follows Kyso's profile (envelope by XPath, exc-c14n, cid references). */
export function isKysoProfile(si: Element): boolean {
  const envRef = children(si, 'Reference', DSIG_NS)[0];
  if (!envRef || envRef.getAttribute('URI') !== '') return false;
  const tr = child(envRef, 'Transforms', DSIG_NS);
  const ts = tr ? children(tr, 'Transform', DSIG_NS) : [];
  return ts.length === 3 && ts[1]!.getAttribute('Algorithm') === XPATH;
}

/**
 * Verifies a Signature of Kyso's profile: structure, signature value with the KeyInfo
 * certificate, envelope digest and exactly one matching digest per attachment. Throws the
 * KysoError that says what is wrong.
 */
export function verifyKysoSignature(envelope: Element, sig: Element, attachments: AttachmentDigest[]): VerifiedSignature {
  const si = child(sig, 'SignedInfo', DSIG_NS);
  if (!si) throw bad('no SignedInfo');
  if (algAttr(si, 'CanonicalizationMethod') !== EXC_C14N) throw bad('unsupported canonicalization');
  const method = algAttr(si, 'SignatureMethod');
  const alg = Object.values(methodOf).includes(method) ? SIGNATURES[method] : undefined;
  if (!alg) throw bad('unsupported signature method');
  const refs = children(si, 'Reference', DSIG_NS);
  const [envRef, ...attRefs] = refs;
  if (!envRef || envRef.getAttribute('URI') !== '') throw bad('first Reference must be the envelope');
  const tr = child(envRef, 'Transforms', DSIG_NS);
  const algs = tr ? children(tr, 'Transform', DSIG_NS).map((t) => t.getAttribute('Algorithm')) : [];
  const xp = tr ? children(tr, 'Transform', DSIG_NS)[1] : undefined;
  const xpText = xp ? child(xp, 'XPath', DSIG_NS)?.textContent?.trim() : undefined;
  if (algs.join(' ') !== `${ENVELOPED} ${XPATH} ${EXC_C14N}` || xpText !== ENVELOPE_XPATH) throw bad('unexpected envelope transforms');
  const digestOf = (r: Element): Buffer => {
    if (algAttr(r, 'DigestMethod') !== SHA256) throw bad('unsupported digest method');
    return Buffer.from(child(r, 'DigestValue', DSIG_NS)?.textContent?.trim() ?? '', 'base64');
  };
  const certEls = (() => {
    const ki = child(sig, 'KeyInfo', DSIG_NS);
    const xd = ki ? child(ki, 'X509Data', DSIG_NS) : undefined;
    return xd ? children(xd, 'X509Certificate', DSIG_NS) : [];
  })();
  const certs = certEls.map((c) => new Uint8Array(Buffer.from(c.textContent?.replace(/\s+/g, '') ?? '', 'base64')));
  if (!certs[0]?.length) throw bad('no signer certificate');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(certs[0]));
  } catch {
    throw bad('unreadable signer certificate');
  }
  const value = Buffer.from(child(sig, 'SignatureValue', DSIG_NS)?.textContent?.replace(/\s+/g, '') ?? '', 'base64');
  const data = Buffer.from(excC14n(si), 'utf8');
  let ok: boolean;
  try {
    ok = cryptoVerify(alg.hash, data, verifyKey(alg, cert.publicKey), value);
  } catch {
    ok = false;
  }
  if (!ok) throw bad('signature value does not verify');
  if (!digestOf(envRef).equals(envelopeDigest(envelope))) throw bad('envelope was modified after signing');
  const byCid = new Map(attachments.map((a) => [a.contentId, a.sha256]));
  // Two attachments under one ContentId would share one reference: the second is never checked.
  if (byCid.size !== attachments.length) {
    const dup = attachments.find((a, i) => attachments.findIndex((b) => b.contentId === a.contentId) !== i)!;
    throw new KysoError('edxmlAttachmentMismatch', { contentId: dup.contentId });
  }
  const seen = new Set<string>();
  for (const r of attRefs) {
    const cid = (r.getAttribute('URI') ?? '').replace(/^cid:/, '');
    const actual = byCid.get(cid);
    if (!actual || seen.has(cid)) throw new KysoError('edxmlAttachmentMismatch', { contentId: cid });
    seen.add(cid);
    if (!digestOf(r).equals(actual)) throw new KysoError('edxmlDigestMismatch', { contentId: cid });
  }
  for (const a of attachments) if (!seen.has(a.contentId)) throw new KysoError('edxmlAttachmentMismatch', { contentId: a.contentId });
  return { certificate: certs[0], chain: certs.slice(1) };
}
