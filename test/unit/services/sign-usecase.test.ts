/**
 * The sign use case shared by `sign:files` and `kyso sign`: outputs are refused before the
 * token or the disk is touched (a refused job leaves no folder), and the app takes the TSA
 * credentials from the environment like the CLI.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contract } from '../../../main/api/index.js';
import { createSignService, signSpecOf } from '../../../main/services/sign-handlers.js';
import { prepareSignOutputs } from '../../../main/services/sign-plan.js';
import type { ServiceContext } from '../../../main/services/types.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kyso-sign-usecase-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ctx: ServiceContext = { lang: 'en', emit: () => {} };

describe('sign use case', () => {
  it('sign:files refuses two inputs with one output name before the token is asked and leaves no folder', async () => {
    let signerAsked = 0;
    const svc = createSignService({ getSigner: async () => { signerAsked++; throw new Error('the token must not be used'); } }, {});
    const outDir = path.join(tmp, 'never-created');
    const input = contract['sign:files'].input.parse({ files: ['/a/x.pdf', '/b/x.pdf'], outDir, token: { module: '/m.so', label: 'T' } });
    await expect(svc.handlers['sign:files'](input, ctx)).rejects.toMatchObject({ code: 'signDuplicateOutput' });
    expect(signerAsked).toBe(0);
    expect(existsSync(outDir)).toBe(false);
    await svc.close();
  });

  it('creates the output folder only for a good plan', () => {
    const bad = path.join(tmp, 'bad');
    expect(() => prepareSignOutputs({ files: ['a/1.pdf', 'b/1.pdf'], outDir: bad })).toThrow(expect.objectContaining({ code: 'signDuplicateOutput' }));
    expect(existsSync(bad)).toBe(false);
    const good = path.join(tmp, 'good', 'nested');
    expect(prepareSignOutputs({ files: ['a/1.pdf', 'b/2.pdf'], outDir: good })).toEqual([
      { input: 'a/1.pdf', output: path.join(good, '1.pdf') }, { input: 'b/2.pdf', output: path.join(good, '2.pdf') },
    ]);
    expect(existsSync(good)).toBe(true);
  });

  it('takes the TSA credentials of the app from the environment, as kyso sign does', () => {
    const input = contract['sign:files'].input.parse({ files: ['/a.pdf'], output: '/b.pdf', token: { module: '/m.so' }, level: 'B-T', tsaUrl: 'http://127.0.0.1:1/tsa' });
    expect(signSpecOf(input, { KYSO_TSA_USER: 'u', KYSO_TSA_PASSWORD: 'p' }).tsa).toEqual({ url: 'http://127.0.0.1:1/tsa', auth: { username: 'u', password: 'p' } });
    expect(signSpecOf(input, {}).tsa).toEqual({ url: 'http://127.0.0.1:1/tsa' });
  });
});
