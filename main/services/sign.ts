/**
 * The sign use cases, one implementation for every caller: the `sign:*` handlers (Sign and
 * Batch screens), `kyso sign` / `kyso extend`, and the entry points to come (the local signing
 * service of issue 11, the axis gateway of issue 12). A caller brings a signer (token session,
 * chain added here), the targets and the signature's shape (level, role, appearance,
 * placement); it gets one result per file, progress as it goes, and cancel through a signal
 * or a background job id.
 */
import { randomUUID } from 'node:crypto';
import { t, type Lang } from '../../resources/locales/index.js';
import { signerChain } from '../pki/chain.js';
import type { Signer } from '../pki/signer.js';
import type { TsaConfig } from '../pki/tsa-client.js';
import type { BatchOptions, BatchProgress, BatchResult } from '../signing/batch.js';
import { prepareSignOutputs, type SignItem, type SignTargets } from './sign-plan.js';

export { planSignOutputs, prepareSignOutputs, tsaConfig, type SignItem, type SignTargets } from './sign-plan.js';

/** How the files are signed: the signer, level, TSA, role and appearance, placement... */
export type SignSpec = Omit<BatchOptions, 'onProgress'>;

/** The signer with its CA chain built from the token's certificates and `extra` ones, in path order. */
export function withChain(base: Signer, extra: Uint8Array[]): Signer {
  return { ...base, chain: signerChain(base.certificate, [...base.chain, ...extra]), sign: (d, h, s) => base.sign(d, h, s) };
}

/**
 * Signs planned items; never throws: a failure of the whole run becomes a failed result per
 * file (code and params kept), so every caller reports per file.
 */
export async function signItems(items: SignItem[], spec: SignSpec, onProgress?: (p: BatchProgress) => void): Promise<BatchResult[]> {
  // The engine loads with the first signature: `kyso extend` and the app's start do not pay for it.
  const { failure, signBatch } = await import('../signing/batch.js');
  try {
    return await signBatch(items, { ...spec, ...(onProgress ? { onProgress } : {}) });
  } catch (e) {
    return items.map((i) => failure(i, e, spec.signal?.aborted ? 'cancelled' : 'failed'));
  }
}

/** Signs one file or a batch: plans the outputs (refused before anything is written), creates the folder, signs. */
export async function signFiles(targets: SignTargets, spec: SignSpec, onProgress?: (p: BatchProgress) => void): Promise<BatchResult[]> {
  return signItems(prepareSignOutputs(targets), spec, onProgress);
}

/** A result's error in the reader's language, or undefined. */
export function resultError(r: BatchResult, lang: Lang): { code: string; message: string } | undefined {
  return r.error ? { code: r.error.code, message: t(lang, `error.${r.error.code}`, r.error.params) } : undefined;
}

/** A result's warnings (fallbacks, skipped certification) in the reader's language. */
export function resultWarnings(r: BatchResult, lang: Lang): string[] {
  return (r.result?.warnings ?? []).map((w) => t(lang, w.code, w.params));
}

/** What a background job reports. */
export interface SignJobEvents {
  onProgress?(jobId: string, p: BatchProgress): void;
  onDone(jobId: string, results: BatchResult[], cancelled: boolean): void;
}

/** Background signing jobs (a screen, a web page's request): started, followed, cancelled. */
export class SignJobs {
  private readonly jobs = new Map<string, { abort: AbortController; done: Promise<void> }>();

  /**
   * Starts a job and returns its id once the outputs are planned and the folder exists: a
   * refused job throws here, before any signing, and leaves nothing behind.
   */
  start(targets: SignTargets, spec: Omit<SignSpec, 'signal'>, events: SignJobEvents): string {
    const items = prepareSignOutputs(targets);
    const jobId = randomUUID();
    const abort = new AbortController();
    const done = (async () => {
      let results: BatchResult[] = [];
      try {
        results = await signItems(items, { ...spec, signal: abort.signal }, (p) => events.onProgress?.(jobId, p));
      } finally {
        this.jobs.delete(jobId);
        events.onDone(jobId, results, abort.signal.aborted);
      }
    })();
    this.jobs.set(jobId, { abort, done });
    return jobId;
  }

  /** Asks a running job to stop: the file in progress is abandoned cleanly, finished ones stay. */
  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    job?.abort.abort();
    return !!job;
  }

  /** Resolves when the job has ended (or at once for an unknown id). */
  async wait(jobId: string): Promise<void> {
    await this.jobs.get(jobId)?.done;
  }

  /** Cancels every job and waits for them to end. */
  async close(): Promise<void> {
    const running = [...this.jobs.values()];
    for (const j of running) j.abort.abort();
    await Promise.all(running.map((j) => j.done));
  }
}

/** Adds B-LT (validation data) or B-LTA (plus a document timestamp) to a signed file, atomically. */
export async function extendFile(file: string, options: { output?: string; level: 'B-LT' | 'B-LTA'; tsa?: TsaConfig; password?: string }) {
  const { extendPdf } = await import('../signing/extend.js');
  return extendPdf(file, options.output ?? file, { level: options.level, ...(options.tsa ? { tsa: options.tsa } : {}), ...(options.password !== undefined ? { password: options.password } : {}) });
}
