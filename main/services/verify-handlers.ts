/** Use cases of the verify domain: validate, export reports, manage the trust store. */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { KysoError } from '../api/errors.js';
import { trustAdd, trustList, trustRemove } from '../pki/trust-store.js';
import { anchorsFor, validatePdf } from '../validation/index.js';
import { resultsJson } from '../validation/report/json.js';
import type { verifyOperations } from '../api/contract/verify.js';
import type { HandlersFor } from './types.js';

function anchors(home: string, files: string[] | undefined): Buffer[] {
  const extra = (files ?? []).map((p) => {
    try {
      return readFileSync(p);
    } catch {
      throw new KysoError('verifyTrustFile', { path: p });
    }
  });
  return anchorsFor(home, extra);
}

/** Handlers for `verify:*` and `trust:*`, bound to a Kyso home (its trust store). */
export function createVerifyHandlers(home: string): HandlersFor<keyof typeof verifyOperations> {
  return {
    'verify:file': async ({ path, offline, time, trust }) =>
      validatePdf(path, { trust: anchors(home, trust), offline: offline ?? false, time: time ? new Date(time) : undefined }),
    'verify:exportReport': async ({ paths, output, format, lang, offline, time, trust }, ctx) => {
      const opts = { trust: anchors(home, trust), offline: offline ?? false, time: time ? new Date(time) : undefined };
      const files = [];
      for (const p of paths) files.push(await validatePdf(p, opts));
      // pdf-lib and fontkit load on the first PDF report, not with the app.
      const body = format === 'json'
        ? Buffer.from(JSON.stringify(resultsJson(files), null, 2))
        : await (await import('../validation/report/pdf.js')).renderReportPdf(files, lang ?? ctx.lang);
      try {
        await writeFile(output, body);
      } catch (e) {
        throw new KysoError('fileWrite', { path: output, detail: (e as NodeJS.ErrnoException).code ?? 'error' });
      }
      return { output, bytes: body.length };
    },
    'trust:list': async () => ({ anchors: trustList(home) }),
    'trust:add': async ({ path }) => {
      let data: Buffer;
      try {
        data = readFileSync(path);
      } catch {
        throw new KysoError('fileNotFound', { path });
      }
      return { added: trustAdd(home, data) };
    },
    'trust:remove': async ({ fingerprint }) => ({ removed: trustRemove(home, fingerprint) }),
  };
}
