/** DocMDP and FieldMDP: form fill after signing is allowed only when the signer permitted it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { validatePdfBuffer } from '../../../main/validation/index.js';
import type { SignatureResult } from '../../../main/validation/types.js';
import { createValidationBed, type ValidationBed } from './helpers/bed.js';
import { signFixture, type FixtureSign } from './helpers/sign.js';
import { fillTextField } from './helpers/attacks.js';
import { appendUpdate, serWith } from './helpers/pdf-edit.js';
import { PdfView } from './helpers/pdf/document.js';
import { PdfRef, textOf } from './helpers/pdf/objects.js';


let bed: ValidationBed;
let form: Buffer;
let opts: FixtureSign;

async function first(buf: Buffer): Promise<SignatureResult> {
  const r = await validatePdfBuffer(buf, 'form.pdf', { trust: [bed.rootPem], offline: true });
  return r.signatures.find((s) => s.field === 'Approval')!;
}

beforeAll(async () => {
  bed = await createValidationBed();
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const f = doc.getForm();
  f.createTextField('so_den').addToPage(page, { x: 50, y: 700, width: 200, height: 20 });
  f.createTextField('ghi_chu').addToPage(page, { x: 50, y: 650, width: 200, height: 20 });
  form = Buffer.from(await doc.save({ useObjectStreams: false }));
  opts = { cert: bed.good.certPath, key: bed.good.keyPath!, chain: bed.chainFile, field: 'Approval' };
});

afterAll(async () => {
  await bed?.close();
});

describe('form fill after signing', () => {
  it('approval signature (no DocMDP): filling a field is an allowed form fill, and the report says the page looks different', async () => {
    const s = await first(fillTextField(await signFixture(form, opts), 'so_den', '123/VB-DEN'));
    expect(s.modifications.some((m) => m.class === 'formFill' && m.allowed)).toBe(true);
    expect(s.modifications.every((m) => m.allowed)).toBe(true);
    expect(s.indication).not.toBe('TOTAL_FAILED');
    expect(s.modifications.map((m) => m.code)).toContain('fieldAppearanceChanged');
    expect(s.checks.find((c) => c.code === 'pageLooksDifferent')).toMatchObject({ result: 'warn', params: { pages: '1' } });
    expect(s.checks.find((c) => c.code === 'pageLooksDifferent')!.detail).toMatch(/Page 1 looks different from what was signed/);
  });

  it('a filled value without a new appearance (nothing redrawn) does not claim the page changed', async () => {
    const signed = await signFixture(form, opts);
    const view = new PdfView(signed);
    const af = view.dict(view.catalog().get('AcroForm'))!;
    const ref = (view.resolve(af.get('Fields')) as PdfRef[]).find((r) => textOf(view.dict(r)!.get('T')) === 'so_den')!;
    const s = await first(appendUpdate(signed, [{ num: ref.num, body: serWith(view.dict(ref)!, { V: '(1)' }) }]));
    expect(s.modifications.some((m) => m.code === 'formFilled')).toBe(true);
    expect(s.checks.some((c) => c.code === 'pageLooksDifferent')).toBe(false);
  });

  it('certified with P=1: the same fill is rejected', async () => {
    const s = await first(fillTextField(await signFixture(form, { ...opts, docMdp: 1 }), 'so_den', '123/VB-DEN'));
    expect(s.indication).toBe('TOTAL_FAILED');
    expect(s.modifications.filter((m) => !m.allowed).map((m) => m.code)).toContain('docMdpNoChanges');
  });

  it('FieldMDP lock: a locked field is rejected, an unlocked one allowed', async () => {
    const signed = await signFixture(form, { ...opts, lockFields: ['so_den'] });
    const locked = await first(fillTextField(signed, 'so_den', 'X'));
    expect(locked.modifications.filter((m) => !m.allowed).map((m) => m.code)).toContain('fieldLocked');
    const free = await first(fillTextField(signed, 'ghi_chu', 'Y'));
    expect(free.modifications.every((m) => m.allowed)).toBe(true);
  });
});
