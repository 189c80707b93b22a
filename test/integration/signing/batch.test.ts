/**
 * signBatch with a software signer: per-file results, a bad file in the middle, never
 * overwriting inputs unless asked, re-run skips finished outputs (and re-signs a tampered
 * one), cancel from a progress callback leaves no temp files.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSignedVersionOf, signBatch, type BatchProgress } from '../../../main/signing/batch.js';
import { outputsInDir } from '../../../main/services/sign-plan.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import { createLocalPki } from './local-pki.js';

const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
let dir: string;
let signer: Signer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-batch-'));
  const pki = await createLocalPki(path.join(dir, 'pki'));
  signer = softwareSigner(readFileSync(pki.rsa.key), pki.rsa.der, [pki.intermediate.der]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inputs(name: string, n: number): string[] {
  const d = path.join(dir, name);
  mkdirSync(d);
  return Array.from({ length: n }, (_, i) => {
    const f = path.join(d, `f${i}.pdf`);
    copyFileSync(FIXTURE, f);
    return f;
  });
}

describe('signBatch', () => {
  it('signs all good files around a bad one, reports progress, skips finished outputs on re-run', async () => {
    const files = inputs('a', 5);
    writeFileSync(files[2]!, 'garbage');
    const outDir = path.join(dir, 'a-out');
    mkdirSync(outDir);
    const progress: BatchProgress[] = [];
    const items = outputsInDir(files, outDir);
    const r1 = await signBatch(items, { signer, onProgress: (p) => progress.push(p) });
    expect(r1.map((r) => r.status)).toEqual(['signed', 'signed', 'failed', 'signed', 'signed']);
    expect(r1[2]!.error?.code).toMatch(/^pdf/);
    expect(progress.filter((p) => p.stage === 'done').map((p) => p.index)).toEqual([0, 1, 3, 4]);
    expect(progress.at(-1)!.done).toBe(5);
    for (const r of r1.filter((x) => x.status === 'signed')) expect(await isSignedVersionOf(r.input, r.output)).toBe(true);
    // Tamper with one output: it is no longer a signed version of its input and is redone.
    const tampered = items[4]!.output;
    const bytes = readFileSync(tampered);
    bytes[10] = bytes[10]! ^ 1;
    writeFileSync(tampered, bytes);
    const r2 = await signBatch(items, { signer });
    expect(r2.map((r) => r.status)).toEqual(['skipped', 'skipped', 'failed', 'skipped', 'signed']);
    expect(readdirSync(outDir).filter((f) => f.includes('.kyso-'))).toEqual([]);
  });

  it('never overwrites an input unless asked', async () => {
    const [f] = inputs('b', 1);
    const before = readFileSync(f!);
    const r = await signBatch([{ input: f!, output: f! }], { signer });
    expect(r[0]).toMatchObject({ status: 'failed', error: { code: 'signWouldOverwrite' } });
    expect(readFileSync(f!).equals(before)).toBe(true);
    const r2 = await signBatch([{ input: f!, output: f! }], { signer, overwrite: true });
    expect(r2[0]!.status).toBe('signed');
    expect(readFileSync(f!).subarray(0, before.length).equals(before)).toBe(true);
  });

  it('sees through links: an output that is the input by a symlink is refused; one output twice is signed once', async () => {
    const [f, g] = inputs('links', 2);
    const before = readFileSync(f!);
    const link = path.join(dir, 'links', 'link.pdf');
    symlinkSync(f!, link);
    const linkedDir = path.join(dir, 'links-dir');
    symlinkSync(path.join(dir, 'links'), linkedDir);
    for (const item of [{ input: link, output: f! }, { input: f!, output: path.join(linkedDir, 'f0.pdf') }]) {
      const r = await signBatch([item], { signer });
      expect(r[0]!.error?.code).toBe('signWouldOverwrite');
    }
    expect(readFileSync(f!).equals(before)).toBe(true);
    // The same file twice with --overwrite: both were "signed" from the same original, one signature kept.
    const twice = await signBatch([{ input: g!, output: g! }, { input: g!, output: g! }], { signer, overwrite: true });
    expect(twice.map((x) => x.status)).toEqual(['signed', 'failed']);
    expect(twice[1]!.error?.code).toBe('signDuplicateOutput');
  });

  it('a read-only input gives an output its owner can write (the copy used to keep mode 0444)', async () => {
    const [f] = inputs('ro', 1);
    chmodSync(f!, 0o444);
    const out = path.join(dir, 'ro', 'out.pdf');
    const r = await signBatch([{ input: f!, output: out }], { signer });
    expect(r[0]!.status).toBe('signed');
    expect(statSync(out).mode & 0o777).toBe(0o644);
  });

  it('cancel: finished files stay, the rest are cancelled, no temp files', async () => {
    const files = inputs('c', 8);
    const outDir = path.join(dir, 'c-out');
    mkdirSync(outDir);
    const abort = new AbortController();
    const r = await signBatch(outputsInDir(files, outDir), {
      signer,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.stage === 'done' && p.index === 1) abort.abort();
      },
    });
    expect(r.slice(0, 2).map((x) => x.status)).toEqual(['signed', 'signed']);
    expect(r.slice(2).every((x) => x.status === 'cancelled')).toBe(true);
    expect(readdirSync(outDir).sort()).toEqual(['f0.pdf', 'f1.pdf']);
  });
});
