/**
 * Encryption of one open document: decrypts what the reader loads and encrypts what an
 * incremental update writes, with each object's own key (ISO 32000-1, 7.6.2). Not encrypted,
 * as the standard says: the /Encrypt dictionary, cross-reference streams, the /Contents of a
 * signature dictionary, members of object streams (their stream is), and the metadata stream
 * when /EncryptMetadata is false.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PdfDict, PdfName, PdfStream, PdfString, type PdfObject } from '../objects.js';
import { objectKey, type CryptMethod, type StandardParams } from './standard.js';
import { rc4 } from './rc4.js';

/** What the report and the signer need to know about a document's encryption. */
export interface EncryptionInfo {
  /** 'RC4-40', 'RC4-128', 'AES-128', 'AES-256'. */
  algorithm: string;
  revision: number;
  /** Opened with the owner password (all permissions). */
  owner: boolean;
  /** True when an empty user password opened it (only editing is restricted). */
  emptyUserPassword: boolean;
  /** /P flags. */
  permissions: number;
  /** Adding a signature is allowed: owner, or /P bit 6 (annotations, forms) or bit 9 (fill forms, R3+). */
  canSign: boolean;
}

function cryptBytes(method: CryptMethod, key: Buffer, data: Uint8Array, encrypt: boolean): Uint8Array {
  if (method === 'none') return data;
  if (method === 'rc4') return rc4(key, data);
  const alg = method === 'aesv3' ? 'aes-256-cbc' : 'aes-128-cbc';
  if (encrypt) {
    const iv = randomBytes(16);
    const c = createCipheriv(alg, key, iv);
    return Buffer.concat([iv, c.update(data), c.final()]);
  }
  // Shorter than IV + one block: nothing to decrypt (some writers leave empty strings so).
  if (data.length < 32) return new Uint8Array(0);
  const body = data.subarray(16, 16 + Math.floor((data.length - 16) / 16) * 16);
  try {
    const d = createDecipheriv(alg, key, data.subarray(0, 16));
    return Buffer.concat([d.update(body), d.final()]);
  } catch {
    // Bad padding: keep the blocks as they are rather than lose the value.
    const d = createDecipheriv(alg, key, data.subarray(0, 16)).setAutoPadding(false);
    return Buffer.concat([d.update(body), d.final()]);
  }
}

/** True for a signature (or document timestamp) dictionary: its /Contents stays in clear. */
const isSignatureDict = (d: PdfDict): boolean => d.has('ByteRange') && d.has('Contents');

/** A document's encryption, opened with a file key. */
export class DocumentCrypt {
  constructor(
    private readonly params: StandardParams,
    private readonly fileKey: Buffer,
    /** Object number of the /Encrypt dictionary (never encrypted), when indirect. */
    private readonly encryptNum: number | undefined,
    readonly info: EncryptionInfo,
  ) {}

  /** A copy of `value` of object `num gen` with its strings transformed (decrypted or encrypted). */
  private strings(num: number, gen: number, value: PdfObject, encrypt: boolean, onString?: (from: PdfString, to: PdfString) => void): PdfObject {
    const { string } = this.params;
    if (num === this.encryptNum || string === 'none') return value;
    const key = objectKey(this.fileKey, num, gen, string);
    const walk = (o: PdfObject, depth: number, skipContents: boolean, keyName?: string): PdfObject => {
      if (depth > 64) return o;
      if (o instanceof PdfString) {
        if (skipContents && keyName === 'Contents') return o;
        const s = new PdfString(cryptBytes(string, key, o.bytes, encrypt), o.hex || encrypt);
        onString?.(o, s);
        return s;
      }
      if (Array.isArray(o)) return o.map((x) => walk(x, depth + 1, false));
      if (o instanceof PdfDict) {
        if (o.getName('Type') === 'XRef') return o;
        const sig = isSignatureDict(o);
        const out = new PdfDict();
        for (const [k, v] of o.map) out.set(k, walk(v, depth + 1, sig, k));
        return out;
      }
      if (o instanceof PdfStream) return o;
      return o;
    };
    return walk(value, 0, false);
  }

  /** The value as loaded, decrypted (stream dictionaries too; stream data via decryptStream). */
  decryptObject(num: number, gen: number, value: PdfObject, onString?: (from: PdfString, to: PdfString) => void): PdfObject {
    return this.strings(num, gen, value, false, onString);
  }

  /** The value encrypted for writing as object `num gen`. */
  encryptObject(num: number, gen: number, value: PdfObject): PdfObject {
    if (value instanceof PdfStream) return new PdfStream(this.strings(num, gen, value.dict, true) as PdfDict, new Uint8Array(0));
    return this.strings(num, gen, value, true);
  }

  /** The method for a stream: none for xref and (unless told) metadata streams, or its own /Crypt filter. */
  private streamMethod(d: PdfDict): CryptMethod {
    const type = d.getName('Type');
    if (type === 'XRef') return 'none';
    if (type === 'Metadata' && !this.params.encryptMetadata) return 'none';
    const f = d.get('Filter');
    const first = Array.isArray(f) ? f[0] : f;
    if (first instanceof PdfName && first.value === 'Crypt') {
      const parms = d.get('DecodeParms');
      const p = Array.isArray(parms) ? parms[0] : parms;
      const nm = p instanceof PdfDict ? p.getName('Name') : undefined;
      return this.params.filters.get(nm ?? 'Identity') ?? 'none';
    }
    return this.params.stream;
  }

  /** Decrypts the raw data of stream object `num gen`. */
  decryptStream(num: number, gen: number, d: PdfDict, data: Uint8Array): Uint8Array {
    const m = this.streamMethod(d);
    return num === this.encryptNum ? data : cryptBytes(m, objectKey(this.fileKey, num, gen, m), data, false);
  }

  /** Encrypts the raw data of stream object `num gen` for writing. */
  encryptStream(num: number, gen: number, d: PdfDict, data: Uint8Array): Uint8Array {
    const m = this.streamMethod(d);
    return cryptBytes(m, objectKey(this.fileKey, num, gen, m), data, true);
  }
}

/** The algorithm's name for reports. */
export function algorithmName(p: StandardParams): string {
  const m = p.stream !== 'none' ? p.stream : p.string;
  if (m === 'aesv3') return 'AES-256';
  if (m === 'aesv2') return 'AES-128';
  return `RC4-${p.keyLength * 8}`;
}

/** Whether a new signature may be added (ISO 32000-1, table 22). */
export function signingAllowed(p: StandardParams, owner: boolean): boolean {
  if (owner) return true;
  const bit = (n: number): boolean => (p.p & (1 << (n - 1))) !== 0;
  return bit(6) || (p.r >= 3 && bit(9));
}
