/**
 * Signed PDFs as other producers make them, for the interop suite: CMS variants straight from
 * `openssl cms` (no signed attributes, streaming BER, two signers, adbe.pkcs7.sha1) and
 * incremental signing by @cantoo/pdf-lib (placeholder, xref streams or tables) filled by
 * @signpdf/signpdf, the recipe JavaScript applications use.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from '@cantoo/pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { Signer } from '@signpdf/utils';

/** A signer's files. */
export interface SignerFiles {
  cert: string;
  key: string;
  /** PEM with the CA certificates to embed. */
  chain?: string;
}

/** `openssl cms -sign -binary` over `data` with extra arguments; DER out. */
export function opensslCms(data: Buffer, who: SignerFiles, extra: string[], more: SignerFiles[] = []): Buffer {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-foreign-'));
  try {
    const input = path.join(dir, 'data');
    writeFileSync(input, data);
    const signers = [who, ...more].flatMap((s) => ['-signer', s.cert, '-inkey', s.key]);
    return execFileSync('openssl', ['cms', '-sign', '-binary', '-in', input, ...signers, ...(who.chain ? ['-certfile', who.chain] : []), '-outform', 'DER', ...extra]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The SHA-1 digest of `data` (what adbe.pkcs7.sha1 encapsulates). */
export function sha1(data: Buffer): Buffer {
  return execFileSync('openssl', ['dgst', '-sha1', '-binary'], { input: data });
}

/**
 * A detached SignedData in BER with indefinite lengths, as Java's BouncyCastle writes it.
 * `openssl cms -sign -stream` writes exactly that but with the content inside; with indefinite
 * lengths the `[0] eContent` element can be cut out without touching any other byte, and the
 * signature (over signed attributes holding the content digest) stays valid.
 */
export function berDetached(data: Buffer, who: SignerFiles, extra: string[] = []): Buffer {
  const ber = opensslCms(data, who, ['-stream', '-nodetach', ...extra]);
  // ContentInfo(inf) OID [0](inf) SignedData(inf) version digestAlgorithms encapContentInfo(inf)
  const eci = ber.indexOf(Buffer.from('30800609' + '2a864886f70d010701', 'hex'));
  if (eci < 0) throw new Error('no indefinite-length EncapsulatedContentInfo');
  const start = eci + 2 + 11;
  if (ber[start] !== 0xa0 || ber[start + 1] !== 0x80) throw new Error('no indefinite-length eContent');
  // [0](inf) OCTET STRING(inf) chunks... EOC EOC: find the two end-of-contents that close it.
  let pos = start + 2;
  let depth = 1;
  while (depth > 0) {
    const tag = ber[pos]!;
    const len = ber[pos + 1]!;
    if (tag === 0 && len === 0) {
      depth--;
      pos += 2;
    } else if (len === 0x80) {
      depth++;
      pos += 2;
    } else if (len < 0x80) pos += 2 + len;
    else {
      const n = len & 0x7f;
      pos += 2 + n + ber.subarray(pos + 2, pos + 2 + n).readUIntBE(0, n);
    }
  }
  return Buffer.concat([ber.subarray(0, start), ber.subarray(pos)]);
}

/** A @signpdf Signer that hands the signed bytes to a function (openssl here). */
class FunctionSigner extends Signer {
  constructor(private readonly fn: (data: Buffer) => Buffer | Promise<Buffer>) {
    super();
  }
  override async sign(data: Buffer): Promise<Buffer> {
    return this.fn(data);
  }
}

/**
 * One more signature the way @cantoo/pdf-lib applications add it: load for incremental
 * update, a signature dictionary with @signpdf's placeholders, a widget on page 1 in the
 * AcroForm, `saveIncremental` (xref stream when `objectStreams`), then @signpdf fills it.
 */
export async function cantooSign(pdf: Buffer, field: string, cms: (data: Buffer) => Buffer | Promise<Buffer>, objectStreams = true): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf, { forIncrementalUpdate: true, updateMetadata: false });
  const snapshot = doc.takeSnapshot();
  const ctx = doc.context;
  const page = doc.getPage(0);
  const placeholder = PDFName.of('**********');
  const sigRef = ctx.register(
    ctx.obj({ Type: 'Sig', Filter: 'Adobe.PPKLite', SubFilter: 'adbe.pkcs7.detached', ByteRange: [0, placeholder, placeholder, placeholder], Contents: PDFHexString.of('0'.repeat(24_000)), M: PDFString.fromDate(new Date()) }),
  );
  const widget = ctx.register(ctx.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', Rect: [0, 0, 0, 0], V: sigRef, T: PDFString.of(field), F: 132, P: page.ref }));
  page.node.addAnnot(widget);
  snapshot.markRefForSave(page.ref);
  const form = doc.getForm();
  form.acroForm.addField(widget);
  form.acroForm.dict.set(PDFName.of('SigFlags'), PDFNumber.of(3));
  const af = doc.catalog.get(PDFName.of('AcroForm'));
  if (af instanceof PDFRef) snapshot.markRefForSave(af);
  snapshot.markRefForSave(ctx.trailerInfo.Root as PDFRef);
  const update = await doc.saveIncremental(snapshot, { useObjectStreams: objectStreams });
  return new SignPdf().sign(Buffer.concat([pdf, Buffer.from(update)]), new FunctionSigner(cms));
}
