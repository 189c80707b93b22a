/**
 * The VNPT-CA-compatible endpoint with real parts: one WebSocket to wss://localhost:<port>/plugin
 * carrying several calls as the vendor's library sends them, replies framed
 * "<result>*<callback>", SignPDF base64 in and out (checked by pdfsig and Kyso's validator),
 * the batch call, and the result codes for refusal and bad input. The page-reported `domain`
 * is ignored: the Origin header decides.
 */
import { readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePdf } from '../../../main/validation/index.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { pdfsig, pdfsigBlocks } from '../signing/oracles.js';
import { approveWith, startHarness, type Harness } from './harness.js';

const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
const ORIGIN = 'https://dvc.tinh-thu-nghiem.gov.vn';
let bed: TestBed;
let h: Harness;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'kyso-svc-vnpt-'));
  bed = await createTestBed();
  h = await startHarness(bed);
  h.answer(approveWith(bed.tokens.official.pin));
}, 120_000);

afterAll(async () => {
  await h?.close();
  await bed?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A plugin connection as the library keeps it: calls in order, replies split at the last '*'. */
async function connect(origin: string): Promise<{ call(functionID: number, args: unknown[], callback?: string, domain?: string): Promise<{ result: string; callback: string }>; close(): void }> {
  const ws = new WebSocket(`wss://localhost:${h.service.vnpt.port}/plugin`, { ca: readFileSync(h.service.tls.caFile), origin, maxPayload: 256 << 20 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waiting: Array<(s: string) => void> = [];
  ws.on('message', (d) => waiting.shift()?.(d.toString()));
  return {
    call: (functionID, args, callback = 'callbackDefault', domain = 'trang-gia-mao.example') =>
      new Promise((resolve) => {
        waiting.push((s) => {
          const i = s.lastIndexOf('*');
          resolve({ result: s.slice(0, i), callback: s.slice(i + 1) });
        });
        ws.send(JSON.stringify({ functionID, funcCallback: callback, args, domain }));
      }),
    close: () => ws.close(),
  };
}

async function checkSigned(file: string): Promise<void> {
  const last = pdfsigBlocks(await pdfsig(file, bed.nssDir)).at(-1)!;
  expect(last).toContain('Signature is Valid.');
  expect(last).toContain('Certificate is Trusted.');
  const v = await validatePdf(file, { trust: [bed.certs.root.der] });
  expect(v.signatures.at(-1)!.indication).toBe('TOTAL_PASSED');
}

describe('VNPT-CA-compatible plugin', () => {
  it('answers checkPlugin, setLicenseKey and getVersion on one connection, framed with the callback', async () => {
    const c = await connect(ORIGIN);
    try {
      expect(await c.call(7, [''])).toEqual({ result: '1', callback: 'callbackDefault' });
      const lic = await c.call(6, ['PD94bWwgdmVyc2lvbj0iMS4wIj8+'], 'setLicenseCallback');
      expect(lic.callback).toBe('setLicenseCallback');
      expect(JSON.parse(lic.result).code).toBe(1);
      expect((await c.call(11, [''])).result).toMatch(/^\d+\.\d+/);
      expect(h.prompts).toHaveLength(0);
    } finally {
      c.close();
    }
  });

  it('SignPDF: base64 in, signed base64 out, the rectangle from the options; the Origin is asked, not the domain', async () => {
    const c = await connect(ORIGIN);
    try {
      const options = { page: 1, llx: 340, lly: 80, urx: 520, ury: 150, Signer: 'Nguyễn Văn An', SigningTime: '09:15:02 22/11/2026', SigVisible: true, ImageBase64: null, TsaUrl: 'http://tsa.example.invalid', CertificateSerial: bed.certs.official.serial };
      const r = await c.call(2, [readFileSync(FIXTURE).toString('base64'), JSON.stringify(options)], 'signCallback');
      expect(r.callback).toBe('signCallback');
      const res = JSON.parse(r.result) as { code: number; data: string; error: string };
      expect(res.code, res.error).toBe(0);
      const out = path.join(work, 'vnpt.pdf');
      writeFileSync(out, Buffer.from(res.data, 'base64'));
      await checkSigned(out);
      const asked = h.prompts.map((p) => p.prompt);
      expect(asked.map((p) => p.kind)).toEqual(['origin', 'sign']);
      expect(asked[0]!.origin).toBe(ORIGIN);
      const q = asked[1]!;
      expect(q.kind === 'sign' && q.placements[0]).toEqual({ source: 'request', page: 1, rect: [340, 80, 180, 70] });
      const rect = /\/Rect\s*\[\s*([\d.\s]+)\]/.exec(readFileSync(out, 'latin1').split('/FT /Sig').at(-1)!);
      expect(rect?.[1]?.trim().split(/\s+/).map(Number)).toEqual([340, 80, 520, 150]);
    } finally {
      c.close();
    }
  });

  it('signArrDataAdvanced: one question and one PIN for three PDFs; an array of JSON results', async () => {
    const c = await connect(ORIGIN);
    try {
      const asked = h.prompts.length;
      const b64 = readFileSync(FIXTURE).toString('base64');
      const items = [0, 1, 2].map(() => JSON.stringify({ data: b64, type: 'pdf', sigOptions: JSON.stringify({ page: 1, llx: 40, lly: 40, urx: 200, ury: 100 }) }));
      items.push(JSON.stringify({ data: 'PHhtbC8+', type: 'xml', sigOptions: null }));
      const r = await c.call(10, [JSON.stringify(items), bed.certs.official.serial, '1', '0']);
      const arr = (JSON.parse(r.result) as string[]).map((s) => JSON.parse(s) as { code: number; data: string });
      expect(arr.map((x) => x.code)).toEqual([0, 0, 0, 1]);
      expect(h.prompts.slice(asked).map((p) => p.prompt.kind)).toEqual(['sign']);
      for (const [i, x] of arr.slice(0, 3).entries()) {
        const f = path.join(work, `arr-${i}.pdf`);
        writeFileSync(f, Buffer.from(x.data, 'base64'));
        await checkSigned(f);
      }
    } finally {
      c.close();
    }
  });

  it('refused: code 11; bad input: code 1 with a message; unknown function: code 5', async () => {
    const c = await connect(ORIGIN);
    try {
      h.answer((p) => (p.kind === 'sign' ? { approve: false } : { approve: true }));
      const refused = JSON.parse((await c.call(2, [readFileSync(FIXTURE).toString('base64'), '{}'])).result) as { code: number };
      expect(refused.code).toBe(11);
      h.answer(approveWith(bed.tokens.official.pin));
      const bad = JSON.parse((await c.call(2, [Buffer.from('<html>không phải PDF</html>').toString('base64'), '{}'])).result) as { code: number; error: string };
      expect(bad).toMatchObject({ code: 1 });
      expect(bad.error).toMatch(/không phải tệp PDF/);
      const notB64 = JSON.parse((await c.call(2, ['%%%', null])).result) as { code: number };
      expect(notB64.code).toBe(1);
      const unknown = JSON.parse((await c.call(99, [])).result) as { code: number };
      expect(unknown.code).toBe(5);
    } finally {
      c.close();
    }
  });

  it('malformed JSON gets a framed error on the default callback; other paths are refused', async () => {
    const ws = new WebSocket(`wss://localhost:${h.service.vnpt.port}/plugin`, { ca: readFileSync(h.service.tls.caFile), origin: ORIGIN });
    const reply = await new Promise<string>((resolve) => {
      ws.on('open', () => ws.send('{functionID: 2'));
      ws.on('message', (d) => resolve(d.toString()));
    });
    ws.close();
    expect(reply.endsWith('*callbackDefault')).toBe(true);
    expect(JSON.parse(reply.slice(0, reply.lastIndexOf('*'))).code).toBe(1);
    const other = new WebSocket(`wss://localhost:${h.service.vnpt.port}/khac`, { ca: readFileSync(h.service.tls.caFile), origin: ORIGIN });
    const err = await new Promise<string>((resolve) => other.on('error', (e) => resolve(e.message)));
    expect(err).toMatch(/404/);
  });
});
