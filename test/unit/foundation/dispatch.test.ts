// The contract dispatcher: input validated by zod, errors become localized envelopes.
import { describe, expect, it } from 'vitest';
import { KysoError } from '../../../main/api/index.js';
import { dispatch } from '../../../main/services/dispatch.js';
import type { Handlers, ServiceContext } from '../../../main/services/types.js';

const ctx = (lang: 'vi' | 'en'): ServiceContext => ({ lang, emit: () => {} });

describe('dispatch', () => {
  const handlers: Partial<Handlers> = {
    'app:setLang': async ({ lang }) => ({ lang }),
    'app:info': async () => {
      throw new KysoError('fileNotFound', { path: '/x.pdf' });
    },
  };

  it('returns a success envelope with the parsed output', async () => {
    expect(await dispatch(handlers, 'app:setLang', { lang: 'en' }, ctx('vi'))).toEqual({ ok: true, value: { lang: 'en' } });
  });

  it('rejects invalid input with a localized invalidInput error', async () => {
    const r = await dispatch(handlers, 'app:setLang', { lang: 'fr' }, ctx('vi'));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalidInput');
      expect(r.error.message).toMatch(/^Dữ liệu không hợp lệ: lang/);
    }
  });

  it('rejects unknown operation ids', async () => {
    const r = await dispatch(handlers, 'fs:readAll', {}, ctx('en'));
    expect(r).toMatchObject({ ok: false, error: { code: 'unknownCommand' } });
  });

  it('maps a KysoError to its code and localized message', async () => {
    const r = await dispatch(handlers, 'app:info', {}, ctx('en'));
    expect(r).toEqual({ ok: false, error: { code: 'fileNotFound', message: 'File not found: /x.pdf', params: { path: '/x.pdf' } } });
  });

  it('maps an unexpected error to internal without a stack', async () => {
    const r = await dispatch({ 'app:info': async () => { throw new Error('boom'); } }, 'app:info', {}, ctx('en'));
    expect(r).toEqual({ ok: false, error: { code: 'internal', message: 'Internal error: boom' } });
  });
});
