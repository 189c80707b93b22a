/** The verify contract through dispatch (zod in/out): verify:file, verify:exportReport, trust:*. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/services/dispatch.js';
import { createVerifyHandlers } from '../../../main/services/verify-handlers.js';
import type { ServiceContext } from '../../../main/services/types.js';
import { basePdf, createValidationBed, type ValidationBed } from './helpers/bed.js';
import { signFixture } from './helpers/sign.js';

let bed: ValidationBed;
let dir: string;
const ctx: ServiceContext = { lang: 'vi', emit: () => undefined };

beforeAll(async () => {
  bed = await createValidationBed();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-vh-'));
  writeFileSync(path.join(dir, 'root.pem'), bed.rootPem);
  writeFileSync(path.join(dir, 'good.pdf'), await signFixture(await basePdf(), { cert: bed.good.certPath, key: bed.good.keyPath!, chain: bed.chainFile }));
});

afterAll(async () => {
  await bed?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('verify handlers', () => {
  it('trust:add/list/remove and verify:file with the store', async () => {
    const h = createVerifyHandlers(path.join(dir, 'home'));
    const call = (id: string, input: unknown) => dispatch(h, id, input, ctx);
    const add = await call('trust:add', { path: path.join(dir, 'root.pem') });
    expect(add.ok).toBe(true);
    const v = await call('verify:file', { path: path.join(dir, 'good.pdf') });
    expect(v.ok && (v.value as { signatures: Array<{ indication: string }> }).signatures[0]!.indication).toBe('TOTAL_PASSED');
    const off = await call('verify:file', { path: path.join(dir, 'good.pdf'), offline: true, time: new Date(Date.now() + 86_400_000).toISOString() });
    expect(off.ok && (off.value as { signatures: Array<{ subIndication: string }> }).signatures[0]!.subIndication).toBe('TRY_LATER');
    const rep = await call('verify:exportReport', { paths: [path.join(dir, 'good.pdf')], output: path.join(dir, 'r.pdf'), format: 'pdf', lang: 'en' });
    expect(rep.ok).toBe(true);
    expect(existsSync(path.join(dir, 'r.pdf'))).toBe(true);
    const list = await call('trust:list', {});
    const fp = list.ok ? (list.value as { anchors: Array<{ fingerprint: string }> }).anchors[0]!.fingerprint : '';
    expect((await call('trust:remove', { fingerprint: fp })).ok).toBe(true);
    const none = await call('trust:remove', { fingerprint: fp });
    expect(none.ok).toBe(false);
    expect(!none.ok && none.error.code).toBe('trustNotFound');
    const bad = await call('verify:file', { path: 42 });
    expect(bad.ok).toBe(false);
  });
});
