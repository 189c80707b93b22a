/**
 * Encrypted, signed PDFs made without Kyso: a base document with an empty signature field,
 * encrypted by `qpdf --encrypt` (RC4 40/128, AES-128, AES-256 R5 and R6), then signed by MuPDF
 * (`mutool sign`, which writes an incremental update with its objects encrypted).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { appendUpdate, docParts, nextNum, ser, serWith } from './pdf-edit.js';

/** One qpdf encryption variant. */
export interface Encryption {
  name: string;
  /** qpdf --encrypt arguments after the passwords. */
  args: string[];
  /** What Kyso should report. */
  algorithm: string;
}

/** The algorithms qpdf can write, each with the revision it uses. */
export const ENCRYPTIONS: Encryption[] = [
  { name: 'RC4-40 (R2)', args: ['40'], algorithm: 'RC4-40' },
  { name: 'RC4-128 (R3)', args: ['128', '--use-aes=n'], algorithm: 'RC4-128' },
  { name: 'AES-128 (R4)', args: ['128', '--use-aes=y'], algorithm: 'AES-128' },
  { name: 'AES-256 (R5)', args: ['256', '--force-R5'], algorithm: 'AES-256' },
  { name: 'AES-256 (R6)', args: ['256'], algorithm: 'AES-256' },
];

/** `base` with an unsigned signature field on page 1 (named `field`). */
export function withEmptyField(base: Buffer, field = 'Sig1'): Buffer {
  const { view, rootNum, catalog, pageNum, page } = docParts(base);
  const widget = nextNum(base);
  const annots = view.resolve(page.get('Annots'));
  const list = [...(Array.isArray(annots) ? annots.map(ser) : []), `${widget} 0 R`];
  return appendUpdate(base, [
    { num: widget, body: `<</Type /Annot /Subtype /Widget /FT /Sig /T (${field}) /F 4 /P ${pageNum} 0 R /Rect [350 60 550 120]>>` },
    { num: pageNum, body: serWith(page, { Annots: `[${list.join(' ')}]` }) },
    { num: rootNum, body: serWith(catalog, { AcroForm: `<</Fields [${widget} 0 R] /SigFlags 3>>` }) },
  ]);
}

/** qpdf --encrypt into `out` (a full rewrite, one revision). */
export function qpdfEncrypt(input: string, out: string, user: string, owner: string, e: Encryption, extra: string[] = []): void {
  // qpdf 11 writes RC4 only when told that weak crypto is wanted.
  const weak = e.algorithm.startsWith('RC4') ? ['--allow-weak-crypto'] : [];
  execFileSync('qpdf', [...weak, '--encrypt', user, owner, ...e.args, ...extra, '--', input, out]);
}

/** The object number of the first signature field of an encrypted file (qpdf's JSON). */
export function signatureFieldNum(file: string, password: string): number {
  const json = JSON.parse(execFileSync('qpdf', [`--password=${password}`, '--json=2', '--json-key=qpdf', file], { maxBuffer: 1 << 26 }).toString()) as { qpdf: Array<Record<string, { value?: Record<string, unknown> }>> };
  for (const [key, o] of Object.entries(json.qpdf[1]!)) {
    if (o.value && o.value['/FT'] === '/Sig') return Number(/^obj:(\d+) /.exec(key)![1]);
  }
  throw new Error('no signature field');
}

/** A PKCS#12 file of a signer (for mutool sign). */
export function pkcs12(dir: string, cert: string, key: string, chain: string): string {
  const out = path.join(dir, `${path.basename(cert)}.pfx`);
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', cert, '-certfile', chain, '-out', out, '-passout', 'pass:pfx']);
  return out;
}

/** Signs the (encrypted) file's empty signature field with MuPDF. */
export function mutoolSign(input: string, out: string, password: string, pfx: string): void {
  execFileSync('mutool', ['sign', '-p', password, '-s', pfx, '-P', 'pfx', '-o', out, input, String(signatureFieldNum(input, password))], { stdio: 'ignore' });
}

/**
 * A document encrypted for certificates (the public-key security handler): the /Encrypt
 * dictionary carries a CMS EnvelopedData per recipient, made by `openssl cms -encrypt`.
 */
export function certificateEncrypted(dir: string, base: Buffer, recipientCert: string): Buffer {
  const seed = path.join(dir, 'seed.bin');
  writeFileSync(seed, Buffer.alloc(24, 7));
  const env = execFileSync('openssl', ['cms', '-encrypt', '-binary', '-in', seed, '-outform', 'DER', '-aes256', recipientCert]);
  const { rootNum } = docParts(base);
  const enc = nextNum(base);
  return appendUpdate(base, [{ num: enc, body: `<</Filter /Adobe.PubSec /SubFilter /adbe.pkcs7.s5 /V 4 /Length 128 /CF <</DefaultCryptFilter <</CFM /AESV2 /Recipients [<${env.toString('hex')}>]>>>> /StmF /DefaultCryptFilter /StrF /DefaultCryptFilter>>` }], {
    Encrypt: `${enc} 0 R`,
    ID: '[<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]',
    Root: `${rootNum} 0 R`,
  });
}
