/**
 * Malformed PDFs (broken xref, truncation, circular references, huge lengths, deep nesting)
 * give a clear error or a verdict, never a crash or hang; and a seeded fuzz run over
 * mutated signed PDFs never yields TOTAL_PASSED when a signed byte changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePdfBuffer } from '../../../main/validation/index.js';
import { basePdf, createValidationBed, type ValidationBed } from './helpers/bed.js';
import { dssFixture, signFixture } from './helpers/sign.js';
import { hasMessage, t } from '../../../resources/locales/index.js';
import { seededRandom } from '../../bed/prng.js';

let bed: ValidationBed;
let signed: Buffer;

/** A tiny PDF from object bodies (1-based numbers), with a correct xref unless told otherwise. */
function handPdf(bodies: string[], trailer = '/Root 1 0 R'): Buffer {
  let out = '%PDF-1.7\n';
  const offs: number[] = [];
  bodies.forEach((b, i) => {
    offs.push(out.length);
    out += `${i + 1} 0 obj\n${b}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n${offs.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<</Size ${bodies.length + 1} ${trailer}>>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

beforeAll(async () => {
  bed = await createValidationBed();
  const s = await signFixture(await basePdf(), { cert: bed.good.certPath, key: bed.good.keyPath!, chain: bed.chainFile, field: 'Approval' });
  signed = dssFixture(s, { ocsps: [await bed.ocspFor(bed.good)], crls: bed.crls() });
});

afterAll(async () => {
  await bed?.close();
});

const opts = (): { trust: Buffer[]; offline: boolean } => ({ trust: [bed.rootPem], offline: true });

describe('malformed PDFs', () => {
  it('not a PDF / empty / truncated header: a clear error naming the file, in both languages', async () => {
    const cases: Array<[Buffer, string]> = [[Buffer.alloc(0), 'pdfEmpty'], [Buffer.from('hello'), 'pdfNotPdf'], [Buffer.from('%PDF-1.7\n'), 'pdfUnrepairable']];
    for (const [b, code] of cases) {
      const r = await validatePdfBuffer(b, 'x.pdf', opts());
      expect(r.error?.code).toBe(code);
      for (const lang of ['vi', 'en'] as const) expect(hasMessage(lang, `error.${code}`)).toBe(true);
      expect(r.error?.detail).not.toMatch(/kyso-validate-|[{}]/);
    }
    const named = await validatePdfBuffer(Buffer.from('hello'), 'cong-van.pdf', opts());
    expect(t('vi', `error.${named.error!.code}`, named.error!.params)).toBe('Tệp cong-van.pdf không phải là tệp PDF.');
  });

  it('broken xref (the last startxref points at garbage): the last revision is rebuilt from its bytes, the signature keeps its verdict, with a warning', async () => {
    const text = signed.toString('latin1');
    const at = text.lastIndexOf('startxref');
    const bad = Buffer.concat([signed.subarray(0, at), Buffer.from('startxref\n12\n%%EOF\n')]);
    const r = await validatePdfBuffer(bad, 'x.pdf', opts());
    expect(r.error).toBeNull();
    expect(r.notes?.map((n) => n.code)).toEqual(['xrefRepaired_xrefDamaged']);
    const s = r.signatures[0]!;
    expect(s.indication, JSON.stringify(s.modifications)).toBe('TOTAL_PASSED');
    expect(s.checks.find((c) => c.name === 'structure')?.result).toBe('warn');
  });

  it('truncated signed file: error or non-passing verdict', async () => {
    for (const frac of [0.3, 0.6, 0.95, 0.999]) {
      const r = await validatePdfBuffer(signed.subarray(0, Math.floor(signed.length * frac)), 't.pdf', opts());
      expect(r.error !== null || r.signatures.every((s) => s.indication !== 'TOTAL_PASSED')).toBe(true);
    }
  });

  it('circular references: /Prev loop, self-referencing /Kids and /Length, reference chains', async () => {
    const prevLoop = Buffer.from(handPdf(['<</Type /Catalog /Pages 2 0 R>>', '<</Type /Pages /Kids [] /Count 0>>']).toString('latin1').replace('/Root 1 0 R', '/Root 1 0 R /Prev 9999'), 'latin1');
    const kids = handPdf(['<</Type /Catalog /Pages 2 0 R /AcroForm <</Fields [3 0 R]>>>>', '<</Type /Pages /Kids [2 0 R] /Count 1>>', '<</FT /Sig /Kids [3 0 R] /V 4 0 R>>', '4 0 R']);
    const len = handPdf(['<</Type /Catalog /Pages 2 0 R>>', '<</Type /Pages /Kids [] /Count 0 /X 3 0 R>>', '<</Length 3 0 R>>\nstream\nabc\nendstream']);
    for (const b of [prevLoop, kids, len]) {
      const r = await validatePdfBuffer(b, 'c.pdf', opts());
      expect(r.error !== null || r.signatures.length === 0).toBe(true);
    }
  });

  it('huge declared lengths and deep nesting', async () => {
    const huge = handPdf(['<</Type /Catalog /Pages 2 0 R /AcroForm <</Fields [3 0 R]>>>>', '<</Type /Pages /Kids [] /Count 0>>', '<</Length 999999999999>>\nstream\nabc\nendstream']);
    const deep = handPdf(['<</Type /Catalog /Pages 2 0 R>>', `${'['.repeat(5000)}${']'.repeat(5000)}`]);
    const hugeXref = Buffer.from(handPdf(['<</Type /Catalog>>']).toString('latin1').replace('xref\n0 2', 'xref\n0 99999999'), 'latin1');
    for (const b of [huge, deep, hugeXref]) {
      const r = await validatePdfBuffer(b, 'h.pdf', opts());
      expect(r.error !== null || r.signatures.length === 0).toBe(true);
    }
  });
});

describe('fuzz (seed 20261122, 400 mutants)', () => {
  it('never crashes, never passes a mutant whose signed bytes changed', async () => {
    const clean = await validatePdfBuffer(signed, 'clean.pdf', opts());
    expect(clean.signatures[0]!.indication).toBe('TOTAL_PASSED');
    const [, b, c, d] = clean.signatures[0]!.byteRange!;
    const rnd = seededRandom(20261122);
    const int = (n: number): number => Math.floor(rnd() * n);
    let verdicts = 0;
    for (let i = 0; i < 400; i++) {
      const m = Buffer.from(signed);
      let touchedSigned = false;
      const kind = int(4);
      if (kind === 0) {
        // Flip a few bytes anywhere (biased to the structure near the end).
        for (let k = 0; k < 1 + int(4); k++) {
          const at = rnd() < 0.5 ? int(m.length) : m.length - 1 - int(Math.min(m.length, 3000));
          m[at] = m[at]! ^ (1 + int(255));
          if (at < b! || (at >= c! && at < c! + d!)) touchedSigned = true;
        }
        verdicts += await check(m, touchedSigned);
      } else if (kind === 1) {
        // Replace a digit run (offsets, lengths, numbers) with a random number.
        const text = m.toString('latin1');
        const starts = [...text.matchAll(/\d+/g)];
        const pick = starts[int(starts.length)]!;
        const rep = String(int(10 ** (1 + int(12))));
        const out = Buffer.concat([m.subarray(0, pick.index), Buffer.from(rep), m.subarray(pick.index + pick[0].length)]);
        // A same-length edit inside the /Contents gap [b, c) changes only unsigned bytes (e.g. a
        // CA certificate in the CMS bag that the DSS also holds): it may rightly still pass.
        const end = pick.index + pick[0].length;
        const inGap = pick.index >= b! && end <= c!;
        const shifts = rep.length !== pick[0].length;
        verdicts += await check(out, rep !== pick[0] && pick.index < c! + d! && (!inGap || shifts));
      } else if (kind === 2) {
        // Cut a slice out.
        const at = int(m.length);
        const len = 1 + int(200);
        verdicts += await check(Buffer.concat([m.subarray(0, at), m.subarray(Math.min(m.length, at + len))]), at < c! + d!);
      } else {
        // Duplicate a slice (shifts every later offset).
        const at = int(m.length);
        const len = 1 + int(400);
        // The copy goes in at `at + len`: signed bytes move only when that point is inside the
        // signed revision (before c + d); past it, only the later (unsigned) update changes.
        verdicts += await check(Buffer.concat([m.subarray(0, at + len), m.subarray(at, Math.min(m.length, at + len)), m.subarray(at + len)]), at + len < c! + d!);
      }
    }
    expect(verdicts).toBeGreaterThan(0);
  }, 240_000);
});

async function check(buf: Buffer, touchedSigned: boolean): Promise<number> {
  const r = await validatePdfBuffer(buf, 'fuzz.pdf', opts());
  if (r.error) {
    // A read error always has a message in the user's language.
    expect(hasMessage('vi', `error.${r.error.code}`), r.error.code).toBe(true);
    return 0;
  }
  const first = r.signatures.find((s) => s.field === 'Approval');
  if (touchedSigned && first) expect(first.indication).not.toBe('TOTAL_PASSED');
  return 1;
}
