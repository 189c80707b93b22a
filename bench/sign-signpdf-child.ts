/**
 * Child process of bench/sign.ts: the common Node recipe with @signpdf/signpdf + pdf-lib
 * (load and re-save with pdf-lib, add a placeholder, sign with a P12). Usage:
 * `node --import tsx bench/sign-signpdf-child.ts IN OUT P12`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';

const [input, output, p12] = process.argv.slice(2);
if (!input || !output || !p12) throw new Error('usage: IN OUT P12');
const doc = await PDFDocument.load(readFileSync(input));
const saved = Buffer.from(await doc.save({ useObjectStreams: false }));
const withPlaceholder = plainAddPlaceholder({ pdfBuffer: saved, reason: 'bench', contactInfo: '', name: 'bench', location: '' });
writeFileSync(output, await new SignPdf().sign(withPlaceholder, new P12Signer(readFileSync(p12))));
