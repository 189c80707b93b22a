/**
 * The server's failure envelope: a known error keeps its code and parameters; an unexpected
 * one is a 500 with its own code, its text only in the server log, and the client shows a
 * readable message in the user's language (not "Internal error: {detail}").
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';
import { KysoError } from '../../../main/api/errors.js';
import { requestJson, toKysoError } from '../../../main/exchange/client/http.js';
import { errorText } from '../../../resources/locales/index.js';
import { sendError, type ErrorOutcome } from '../../../server/http.js';
import { z } from 'zod';

afterEach(() => vi.restoreAllMocks());

async function answer(e: unknown, outcomes: ErrorOutcome[] = []): Promise<KysoError> {
  const server = createServer((_req, res) => void outcomes.push(sendError(res, e)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    await requestJson({ method: 'GET', url }, z.object({}));
    throw new Error('expected a failure');
  } catch (err) {
    return toKysoError(err) as KysoError;
  } finally {
    server.close();
  }
}

it('an unexpected error: 500, exServerInternal, details only in the server log', async () => {
  const outcomes: ErrorOutcome[] = [];
  const e = await answer(new Error('SQLITE_CORRUPT: SELECT * FROM users'), outcomes);
  expect(e.code).toBe('exServerInternal');
  expect(e.params.status).toBe(500);
  expect(JSON.stringify(e.params)).not.toContain('SQLITE');
  // The text goes to the caller's log line (app.ts), not to the client.
  expect(outcomes[0]).toMatchObject({ code: 'exServerInternal', status: 500 });
  expect(outcomes[0]?.internal).toContain('SQLITE_CORRUPT');
  const vi_ = errorText('vi', { code: e.code, params: e.params });
  expect(vi_).toMatch(/^Máy chủ trục liên thông gặp lỗi nội bộ/);
  expect(vi_).not.toMatch(/\{\w+\}/);
});

it('a known error keeps its code and parameters', async () => {
  const e = await answer(new KysoError('exUnknownRecipient', { organId: '000.09.00.H99' }));
  expect(e.code).toBe('exUnknownRecipient');
  expect(errorText('vi', { code: e.code, params: e.params })).toBe('Không có cơ quan nhận có mã 000.09.00.H99 trong danh bạ.');
});
