/**
 * The standard security handler of ISO 32000 (7.6.4, and ISO 32000-2 for revision 6): reads the
 * /Encrypt dictionary, checks a user or owner password (revisions 2 to 6) and derives the file
 * key and each object's key. node:crypto does MD5, SHA-2 and AES; RC4 is rc4.ts.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { KysoError } from '../../api/errors.js';
import { PdfDict, PdfName, PdfString, type PdfObject } from '../objects.js';
import { rc4 } from './rc4.js';

/** How strings or streams of a document are encrypted. */
export type CryptMethod = 'none' | 'rc4' | 'aesv2' | 'aesv3';

/** The parameters of a standard /Encrypt dictionary. */
export interface StandardParams {
  v: number;
  r: number;
  /** File key length in bytes (5 to 16; 32 for AES-256). */
  keyLength: number;
  /** The /P permission flags as a signed 32-bit integer. */
  p: number;
  o: Buffer;
  u: Buffer;
  oe?: Buffer;
  ue?: Buffer;
  encryptMetadata: boolean;
  /** Default methods for streams and strings (/StmF, /StrF). */
  stream: CryptMethod;
  string: CryptMethod;
  /** Named crypt filters (/CF), for streams that name their own with a /Crypt filter. */
  filters: Map<string, CryptMethod>;
}

/** Padding string of algorithm 2 (ISO 32000-1, 7.6.3.3). */
const PAD = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');

const md5 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

type Resolve = (o: PdfObject | undefined) => Promise<PdfObject | undefined>;

const bytesOf = async (resolve: Resolve, d: PdfDict, key: string): Promise<Buffer | undefined> => {
  const v = await resolve(d.get(key));
  return v instanceof PdfString ? Buffer.from(v.bytes) : undefined;
};

function methodOf(cfm: string | undefined): CryptMethod {
  if (cfm === 'V2') return 'rc4';
  if (cfm === 'AESV2') return 'aesv2';
  if (cfm === 'AESV3') return 'aesv3';
  if (cfm === 'None' || cfm === undefined) return 'none';
  throw new KysoError('pdfEncryptedUnsupported', { detail: `crypt filter method ${cfm}` });
}

/** Reads a standard /Encrypt dictionary; other handlers are refused with a clear code. */
export async function readStandardParams(d: PdfDict, resolve: Resolve): Promise<StandardParams> {
  const filter = d.getName('Filter');
  if (filter === 'Adobe.PubSec' || d.has('Recipients') || /^adbe\.pkcs7\.s[345]$/.test(d.getName('SubFilter') ?? '')) throw new KysoError('pdfEncryptedCertificate');
  if (filter !== 'Standard') throw new KysoError('pdfEncryptedUnsupported', { detail: `security handler ${filter ?? '(none)'}` });
  const num = async (k: string): Promise<number | undefined> => {
    const v = await resolve(d.get(k));
    return typeof v === 'number' ? v : undefined;
  };
  const v = (await num('V')) ?? 0;
  const r = (await num('R')) ?? 0;
  const o = await bytesOf(resolve, d, 'O');
  const u = await bytesOf(resolve, d, 'U');
  const p = await num('P');
  if (![1, 2, 4, 5].includes(v) || r < 2 || r > 6 || !o || !u || p === undefined) throw new KysoError('pdfEncryptedUnsupported', { detail: `standard handler V${v} R${r}` });
  const em = await resolve(d.get('EncryptMetadata'));
  const filters = new Map<string, CryptMethod>([['Identity', 'none']]);
  let stream: CryptMethod = 'rc4';
  let string: CryptMethod = 'rc4';
  let keyLength = v === 1 ? 5 : Math.floor(((await num('Length')) ?? 40) / 8);
  if (v >= 4) {
    const cf = await resolve(d.get('CF'));
    if (cf instanceof PdfDict) {
      for (const [k, x] of cf.map) {
        const fd = await resolve(x);
        if (fd instanceof PdfDict) filters.set(k, methodOf((await resolve(fd.get('CFM'))) instanceof PdfName ? ((await resolve(fd.get('CFM'))) as PdfName).value : undefined));
      }
    }
    const pick = async (k: string): Promise<CryptMethod> => {
      const n = await resolve(d.get(k));
      const nm = n instanceof PdfName ? n.value : 'Identity';
      const m = filters.get(nm);
      if (m === undefined) throw new KysoError('pdfEncryptedUnsupported', { detail: `crypt filter ${nm}` });
      return m;
    };
    stream = await pick('StmF');
    string = await pick('StrF');
    keyLength = v === 5 ? 32 : 16;
  }
  if (keyLength < 5 || keyLength > 32) throw new KysoError('pdfEncryptedUnsupported', { detail: `key length ${keyLength}` });
  // AES-256 takes the 32-byte key only revisions 5 and 6 derive (an older revision's key made
  // every decryption throw an OpenSSL error).
  if (r < 5 && [stream, string, ...filters.values()].includes('aesv3')) throw new KysoError('pdfEncryptedUnsupported', { detail: `AESV3 with revision ${r}` });
  // A wrapped file key is one 32-byte block: a shorter one cannot open the file with that
  // password (unwrapping it threw), as if it were absent.
  const wrapped = async (k: string) => {
    const b = r >= 5 ? await bytesOf(resolve, d, k) : undefined;
    return b && b.length >= 32 ? b : undefined;
  };
  const oe = await wrapped('OE');
  const ue = await wrapped('UE');
  return {
    v, r, keyLength, p: p | 0, o, u,
    ...(r >= 5 ? { oe, ue } : {}),
    encryptMetadata: em !== false,
    stream, string, filters,
  };
}

/** Password bytes for revisions 2-4: PDFDocEncoding (Latin-1 for what it covers), padded to 32. */
function padded(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, 'latin1').subarray(0, 32), PAD]).subarray(0, 32);
}

/** Algorithm 2: the file key from a (padded) user password, revisions 2-4. */
function fileKeyLegacy(s: StandardParams, id0: Buffer, pw: Buffer): Buffer {
  const pb = Buffer.alloc(4);
  pb.writeInt32LE(s.p);
  const extra = s.r >= 4 && !s.encryptMetadata ? [Buffer.from([0xff, 0xff, 0xff, 0xff])] : [];
  let key = md5(pw, s.o.subarray(0, 32), pb, id0, ...extra);
  const n = s.r === 2 ? 5 : s.keyLength;
  if (s.r >= 3) for (let i = 0; i < 50; i++) key = md5(key.subarray(0, n));
  return key.subarray(0, n);
}

const xorKey = (key: Buffer, i: number): Buffer => Buffer.from(key.map((b) => b ^ i));

/** Algorithms 4 and 5: the /U value a file key gives (first 16 bytes compared from R3 on). */
function userCheck(s: StandardParams, id0: Buffer, key: Buffer): boolean {
  if (s.r === 2) return rc4(key, PAD).equals(s.u.subarray(0, 32));
  let x = rc4(key, md5(PAD, id0));
  for (let i = 1; i <= 19; i++) x = rc4(xorKey(key, i), x);
  return x.subarray(0, 16).equals(s.u.subarray(0, 16));
}

/** Algorithm 7: the user password recovered from /O with the owner password, revisions 2-4. */
function userFromOwner(s: StandardParams, owner: string): Buffer {
  let k = md5(padded(owner));
  if (s.r >= 3) for (let i = 0; i < 50; i++) k = md5(k);
  const key = k.subarray(0, s.r === 2 ? 5 : s.keyLength);
  if (s.r === 2) return rc4(key, s.o.subarray(0, 32));
  let x: Buffer = s.o.subarray(0, 32);
  for (let i = 19; i >= 0; i--) x = rc4(xorKey(key, i), x);
  return x;
}

/** Algorithm 2.B (revision 6) or plain SHA-256 (revision 5). */
function hashR6(r: number, pw: Buffer, salt: Buffer, udata: Buffer): Buffer {
  let k = createHash('sha256').update(pw).update(salt).update(udata).digest();
  if (r === 5) return k;
  let e = Buffer.alloc(1);
  for (let i = 0; i < 64 || e[e.length - 1]! > i - 32; i++) {
    const k1 = Buffer.concat(Array.from({ length: 64 }, () => Buffer.concat([pw, k, udata])));
    const c = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32)).setAutoPadding(false);
    e = Buffer.concat([c.update(k1), c.final()]);
    let sum = 0;
    for (let j = 0; j < 16; j++) sum += e[j]!;
    k = createHash(['sha256', 'sha384', 'sha512'][sum % 3]!).update(e).digest();
  }
  return k.subarray(0, 32);
}

/** AES-256 without IV or padding (unwrapping /UE and /OE). */
function unwrap(key: Buffer, data: Buffer): Buffer {
  const d = createDecipheriv('aes-256-cbc', key, Buffer.alloc(16)).setAutoPadding(false);
  return Buffer.concat([d.update(data.subarray(0, 32)), d.final()]);
}

/** Revision 6 passwords: SASLprep (approximated by NFKC), UTF-8, at most 127 bytes. */
const utf8Password = (pw: string): Buffer => Buffer.from(pw.normalize('NFKC'), 'utf8').subarray(0, 127);

/** The file key when `password` opens the document, and whether it was the owner password. */
export function authenticate(s: StandardParams, id0: Buffer, password: string): { key: Buffer; owner: boolean } | null {
  if (s.r >= 5) {
    const pw = utf8Password(password);
    if (s.u.length < 48 || s.o.length < 48) throw new KysoError('pdfEncryptedUnsupported', { detail: 'short /U or /O' });
    const u48 = s.u.subarray(0, 48);
    if (hashR6(s.r, pw, s.o.subarray(32, 40), u48).equals(s.o.subarray(0, 32)) && s.oe) {
      return { key: unwrap(hashR6(s.r, pw, s.o.subarray(40, 48), u48), s.oe), owner: true };
    }
    if (hashR6(s.r, pw, s.u.subarray(32, 40), Buffer.alloc(0)).equals(s.u.subarray(0, 32)) && s.ue) {
      return { key: unwrap(hashR6(s.r, pw, s.u.subarray(40, 48), Buffer.alloc(0)), s.ue), owner: false };
    }
    return null;
  }
  const asOwner = fileKeyLegacy(s, id0, userFromOwner(s, password));
  if (userCheck(s, id0, asOwner)) return { key: asOwner, owner: true };
  const asUser = fileKeyLegacy(s, id0, padded(password));
  if (userCheck(s, id0, asUser)) return { key: asUser, owner: false };
  return null;
}

/** Algorithm 1: the key for one object (AES-256 uses the file key itself). */
export function objectKey(fileKey: Buffer, num: number, gen: number, method: CryptMethod): Buffer {
  if (method === 'aesv3') return fileKey;
  const ng = Buffer.from([num & 0xff, (num >> 8) & 0xff, (num >> 16) & 0xff, gen & 0xff, (gen >> 8) & 0xff]);
  const salt = method === 'aesv2' ? [Buffer.from('sAlT', 'latin1')] : [];
  return md5(fileKey, ng, ...salt).subarray(0, Math.min(fileKey.length + 5, 16));
}
