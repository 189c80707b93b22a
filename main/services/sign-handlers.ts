/**
 * Use cases of the sign domain: `sign:files` starts a batch job (progress as sign:progress,
 * the end as sign:done), `sign:cancel` aborts it cleanly, `sign:extend` adds B-LT/B-LTA.
 * The signer comes from the shared TokenManager (the user logged in with token:login).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { t } from '../../resources/locales/index.js';
import type { TokenManager } from '../../native/token-manager.js';
import { chainFor, readCertFiles } from '../pki/cert.js';
import type { Signer } from '../pki/signer.js';
import { outputsInDir, signBatch, type BatchItem, type BatchResult } from '../signing/batch.js';
import { extendPdf } from '../signing/extend.js';
import { isKysoError } from '../api/errors.js';
import type { signOperations } from '../api/contract/sign.js';
import type { HandlersFor, ServiceContext } from './types.js';

/** The sign service: handlers plus close() (aborts running jobs). */
export interface SignService {
  handlers: HandlersFor<keyof typeof signOperations>;
  /** Resolves when the job ends (for tests and shutdown). */
  wait(jobId: string): Promise<void>;
  close(): Promise<void>;
}

function toContractResult(r: BatchResult, ctx: ServiceContext) {
  return {
    input: r.input,
    output: r.output,
    status: r.status,
    ...(r.level ? { level: r.level } : {}),
    ...(r.error ? { error: { code: r.error.code, message: t(ctx.lang, `error.${r.error.code}`, r.error.params) } } : {}),
    warnings: (r.result?.warnings ?? []).map((w) => t(ctx.lang, w.code, w.params)),
  };
}

/** Creates the sign handlers over the core's TokenManager. */
export function createSignService(tokens: TokenManager): SignService {
  const jobs = new Map<string, { abort: AbortController; done: Promise<void> }>();
  const handlers: SignService['handlers'] = {
    'sign:files': async (input, ctx) => {
      const base = await tokens.getSigner(input.token, input.cert ?? {});
      const signer: Signer = { ...base, chain: chainFor(base.certificate, [...base.chain, ...readCertFiles(input.chain ?? [])]), sign: (d, h, s) => base.sign(d, h, s) };
      let items: BatchItem[];
      if (input.outDir !== undefined) {
        mkdirSync(input.outDir, { recursive: true });
        items = outputsInDir(input.files, input.outDir);
      } else if (input.output !== undefined) items = [{ input: input.files[0]!, output: input.output }];
      else items = input.files.map((f) => ({ input: f, output: f }));
      const jobId = randomUUID();
      const abort = new AbortController();
      const done = (async () => {
        let results: BatchResult[] = [];
        try {
          results = await signBatch(items, {
            signer,
            level: input.level,
            ...(input.tsaUrl ? { tsa: { url: input.tsaUrl } } : {}),
            allowFallback: input.allowFallback,
            ...(input.reason ? { reason: input.reason } : {}),
            ...(input.location ? { location: input.location } : {}),
            ...(input.certify ? { certify: input.certify } : {}),
            ...(input.appearance ? { appearance: input.appearance } : {}),
            ...(input.placement ? { placement: input.placement } : {}),
            overwrite: input.overwrite,
            signal: abort.signal,
            onProgress: (p) => ctx.emit('sign:progress', { jobId, ...p }),
          });
        } catch (e) {
          const code = isKysoError(e) ? e.code : 'internal';
          results = items.map((i) => ({ input: i.input, output: i.output, status: 'failed', error: { code, params: {}, message: code } }));
        } finally {
          jobs.delete(jobId);
          ctx.emit('sign:done', { jobId, results: results.map((r) => toContractResult(r, ctx)), cancelled: abort.signal.aborted });
        }
      })();
      jobs.set(jobId, { abort, done });
      return { jobId };
    },
    'sign:cancel': async ({ jobId }) => {
      const job = jobs.get(jobId);
      if (!job) return { cancelled: false };
      job.abort.abort();
      return { cancelled: true };
    },
    'sign:extend': async (input) => {
      const r = await extendPdf(input.file, input.output ?? input.file, { level: input.level, ...(input.tsaUrl ? { tsa: { url: input.tsaUrl } } : {}) });
      return { output: r.output, level: r.level };
    },
  };
  return {
    handlers,
    wait: async (jobId) => {
      await jobs.get(jobId)?.done;
    },
    close: async () => {
      for (const j of jobs.values()) j.abort.abort();
      await Promise.all([...jobs.values()].map((j) => j.done));
    },
  };
}
