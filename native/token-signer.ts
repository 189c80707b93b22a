/**
 * A `Signer` (main/pki/signer.ts) over a token key in a bridge process: picks the mechanism
 * from the token's list (hash here + raw mechanism when available, so large data never
 * crosses the process boundary; else hash-and-sign mechanisms), converts ECDSA r||s to DER.
 */
import { createHash } from 'node:crypto';
import { KysoError } from '../main/api/errors.js';
import type { HashAlgorithm, SignatureScheme, Signer } from '../main/pki/signer.js';
import type { MechanismName } from './bridge/protocol.js';

const nodeHash: Record<HashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const short: Record<HashAlgorithm, 'SHA256' | 'SHA384' | 'SHA512'> = { 'SHA-256': 'SHA256', 'SHA-384': 'SHA384', 'SHA-512': 'SHA512' };

/** DER prefixes of DigestInfo for each hash (RFC 8017 section 9.2, note 1). */
const digestInfoPrefix: Record<HashAlgorithm, string> = {
  'SHA-256': '3031300d060960864801650304020105000420',
  'SHA-384': '3041300d060960864801650304020205000430',
  'SHA-512': '3051300d060960864801650304020305000440',
};

/** Wraps a digest in a DER DigestInfo (what CKM_RSA_PKCS signs for PKCS#1 v1.5). */
export function digestInfo(hash: HashAlgorithm, digest: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(digestInfoPrefix[hash], 'hex'), digest]);
}

function derInt(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if ((v[0] ?? 0) & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return Buffer.concat([Buffer.from([0x02, v.length]), v]);
}

/** Converts a PKCS#11 ECDSA signature (r||s) to a DER ECDSA-Sig-Value. */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  const buf = Buffer.from(raw);
  const half = buf.length / 2;
  const body = Buffer.concat([derInt(buf.subarray(0, half)), derInt(buf.subarray(half))]);
  const len = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}

/** Schemes a key can use given the token's mechanisms, in order of preference. */
export function schemesFor(keyType: 'RSA' | 'EC' | 'other', mechs: readonly MechanismName[]): SignatureScheme[] {
  const has = (n: string) => mechs.some((m) => m === n || m.endsWith('_' + n) || (n === 'ECDSA' && m.startsWith('ECDSA')));
  if (keyType === 'EC') return has('ECDSA') ? ['ECDSA'] : [];
  if (keyType !== 'RSA') return [];
  const out: SignatureScheme[] = [];
  if (has('RSA_PKCS')) out.push('RSA-PKCS1');
  if (has('RSA_PKCS_PSS')) out.push('RSA-PSS');
  return out;
}

/** What the token signer sends to the bridge for one signature. */
export interface SignPlan {
  mechanism: MechanismName;
  data: Buffer;
  pss?: { hash: HashAlgorithm; saltLength: number };
}

/** Chooses the mechanism and input for one signature. */
export function planSignature(data: Uint8Array, hash: HashAlgorithm, scheme: SignatureScheme, mechs: readonly MechanismName[]): SignPlan {
  const has = (m: MechanismName) => mechs.includes(m);
  const digest = () => createHash(nodeHash[hash]).update(data).digest();
  const h = short[hash];
  if (scheme === 'RSA-PKCS1') {
    if (has('RSA_PKCS')) return { mechanism: 'RSA_PKCS', data: digestInfo(hash, digest()) };
    if (has(`${h}_RSA_PKCS`)) return { mechanism: `${h}_RSA_PKCS`, data: Buffer.from(data) };
  } else if (scheme === 'RSA-PSS') {
    const pss = { hash, saltLength: { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[hash] };
    if (has('RSA_PKCS_PSS')) return { mechanism: 'RSA_PKCS_PSS', data: digest(), pss };
    if (has(`${h}_RSA_PKCS_PSS`)) return { mechanism: `${h}_RSA_PKCS_PSS`, data: Buffer.from(data), pss };
  } else if (scheme === 'ECDSA') {
    if (has('ECDSA')) return { mechanism: 'ECDSA', data: digest() };
    if (has(`ECDSA_${h}`)) return { mechanism: `ECDSA_${h}`, data: Buffer.from(data) };
  }
  throw new KysoError('tokenMechanismUnsupported', { mechanism: `${scheme}/${hash}` });
}

/** Builds a Signer; `rawSign` runs one mechanism in the bridge and returns its output. */
export function tokenSigner(opts: {
  certificate: Uint8Array;
  chain?: Uint8Array[];
  keyType: 'RSA' | 'EC';
  mechanisms: readonly MechanismName[];
  rawSign: (plan: SignPlan) => Promise<Buffer>;
}): Signer {
  return {
    certificate: opts.certificate,
    chain: opts.chain ?? [],
    keyType: opts.keyType,
    schemes: schemesFor(opts.keyType, opts.mechanisms),
    async sign(data, hash, scheme) {
      const plan = planSignature(data, hash, scheme, opts.mechanisms);
      const out = await opts.rawSign(plan);
      return scheme === 'ECDSA' ? ecdsaRawToDer(out) : out;
    },
  };
}
