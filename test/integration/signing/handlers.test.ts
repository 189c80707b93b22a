/**
 * sign:files / sign:cancel / sign:extend through the handlers the UI calls, with the bed's
 * SoftHSM2 token logged in once through the shared TokenManager: progress events per file,
 * one sign:done with a result per file, cancel leaving no temp files behind, a batch with a
 * saved placement signing every file at that spot.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenManager } from '../../../native/token-manager.js';
import { contract, type EventId } from '../../../main/api/index.js';
import { signEvents } from '../../../main/api/contract/sign.js';
import { createSignService, type SignService } from '../../../main/services/sign-handlers.js';
import type { ServiceContext } from '../../../main/services/types.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { pdfsig, pdfsigBlocks, sigWidgets } from './oracles.js';

const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
let bed: TestBed;
let tm: TokenManager;
let svc: SignService;
const events: Array<{ event: EventId; payload: Record<string, unknown> }> = [];
const ctx: ServiceContext = { lang: 'vi', emit: (event, payload) => events.push({ event, payload: payload as Record<string, unknown> }) };

beforeAll(async () => {
  bed = await createTestBed();
  tm = new TokenManager({ modules: [bed.module], env: bed.env });
  await tm.login({ module: bed.module, label: bed.tokens.official.label }, bed.tokens.official.pin);
  svc = createSignService(tm);
});
afterAll(async () => {
  await svc?.close();
  await tm?.close();
  await bed?.close();
});

function files(n: number, name: string): string[] {
  const dir = path.join(bed.dir, name);
  mkdirSync(dir);
  return Array.from({ length: n }, (_, i) => {
    const f = path.join(dir, `doc${i}.pdf`);
    copyFileSync(FIXTURE, f);
    return f;
  });
}

describe('sign handlers', () => {
  it('sign:files signs a batch, emitting progress and one sign:done', async () => {
    const input = contract['sign:files'].input.parse({
      files: files(3, 'h-in'),
      outDir: path.join(bed.dir, 'h-out'),
      token: { module: bed.module, label: bed.tokens.official.label },
      cert: { keyId: bed.certs.official.token!.id },
      chain: [bed.chainPath],
      level: 'B-T',
      tsaUrl: bed.urls.tsa,
      appearance: { role: 'approval', image: path.resolve('test/fixtures/signature.png') },
    });
    const { jobId } = await svc.handlers['sign:files']!(input, ctx);
    await svc.wait(jobId);
    const done = events.find((e) => e.event === 'sign:done' && e.payload.jobId === jobId)!;
    const results = done.payload.results as Array<{ status: string; level: string; output: string }>;
    expect(results.map((r) => r.status)).toEqual(['signed', 'signed', 'signed']);
    expect(results.every((r) => r.level === 'B-T')).toBe(true);
    const progress = events.filter((e) => e.event === 'sign:progress' && e.payload.jobId === jobId);
    expect(progress.filter((e) => e.payload.stage === 'done')).toHaveLength(3);
    for (const e of progress) expect(() => signEvents['sign:progress'].parse(e.payload)).not.toThrow();
    const report = await pdfsig(results[2]!.output, bed.nssDir);
    expect(pdfsigBlocks(report)[0], report).toContain('Signature is Valid.');
  });

  it('sign:files with a saved placement (issue 14, point 6) puts the visible signature at that spot in every file', async () => {
    // Two-page letters made by qpdf; the placement saved on the Sign screen is on page 2.
    const dir = path.join(bed.dir, 'saved-in');
    mkdirSync(dir);
    const inputs = Array.from({ length: 3 }, (_, i) => {
      const f = path.join(dir, `letter${i}.pdf`);
      execFileSync('qpdf', ['--empty', '--pages', FIXTURE, FIXTURE, '--', f]);
      return f;
    });
    const saved = { page: 2, rect: [320.5, 140, 180, 80] as [number, number, number, number] };
    const input = contract['sign:files'].input.parse({
      files: inputs,
      outDir: path.join(bed.dir, 'saved-out'),
      token: { module: bed.module, label: bed.tokens.official.label },
      cert: { keyId: bed.certs.official.token!.id },
      appearance: { role: 'approval', image: path.resolve('test/fixtures/signature.png') },
      placement: saved,
    });
    const { jobId } = await svc.handlers['sign:files']!(input, ctx);
    await svc.wait(jobId);
    const done = events.find((e) => e.event === 'sign:done' && e.payload.jobId === jobId)!;
    const results = done.payload.results as Array<{ status: string; output: string }>;
    expect(results.map((r) => r.status)).toEqual(['signed', 'signed', 'signed']);
    const [x, y, w, h] = saved.rect;
    for (const r of results) {
      expect(sigWidgets(r.output)).toEqual([{ page: 2, rect: [x, y, x + w, y + h] }]);
      const report = await pdfsig(r.output, bed.nssDir);
      expect(pdfsigBlocks(report)[0], report).toContain('Signature is Valid.');
    }
  });

  it('sign:cancel stops a job: no temp files, results say cancelled for what was not signed', async () => {
    const outDir = path.join(bed.dir, 'c-out');
    const input = contract['sign:files'].input.parse({ files: files(40, 'c-in'), outDir, token: { module: bed.module, label: bed.tokens.official.label }, cert: { keyId: bed.certs.official.token!.id } });
    const { jobId } = await svc.handlers['sign:files']!(input, ctx);
    expect(await svc.handlers['sign:cancel']!({ jobId }, ctx)).toEqual({ cancelled: true });
    await svc.wait(jobId);
    const done = events.find((e) => e.event === 'sign:done' && e.payload.jobId === jobId)!;
    expect(done.payload.cancelled).toBe(true);
    const results = done.payload.results as Array<{ status: string }>;
    expect(results.some((r) => r.status === 'cancelled')).toBe(true);
    const outs = readdirSync(outDir);
    expect(outs.filter((f) => f.includes('.kyso-'))).toEqual([]);
    expect(outs.length).toBe(results.filter((r) => r.status === 'signed').length);
    expect(await svc.handlers['sign:cancel']!({ jobId }, ctx)).toEqual({ cancelled: false });
  });
});
