/**
 * Batch signing with one token login: file N+1 is prepared (update written, ranges hashed)
 * while the token signs file N; every file gets its own result, one bad file never stops the
 * batch, cancel stops cleanly, and finished outputs are skipped when the batch is re-run.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { KysoError, isKysoError } from '../api/errors.js';
import { abandonSignature, atLeast, completeSignature, prepareSignature, retryLarger, type PreparedSignature } from './pades.js';
import type { PadesLevel, SignOptions, SignResult } from './types.js';

/** One file of a batch. */
export interface BatchItem {
  input: string;
  output: string;
}

/** Stage reported for a file. */
export type BatchStage = 'hashing' | 'signing' | 'done' | 'skipped' | 'failed';

/** Progress callback payload. */
export interface BatchProgress {
  index: number;
  total: number;
  file: string;
  stage: BatchStage;
  /** Files finished so far (signed, skipped or failed). */
  done: number;
}

/** Per-file outcome. */
export interface BatchResult {
  input: string;
  output: string;
  status: 'signed' | 'skipped' | 'failed' | 'cancelled';
  level?: PadesLevel;
  result?: SignResult;
  error?: { code: string; params: Record<string, unknown>; message: string };
}

/** Batch options: the signing options plus batch behaviour. */
export interface BatchOptions extends SignOptions {
  /** Allows output == input (replaced atomically). */
  overwrite?: boolean;
  onProgress?: (p: BatchProgress) => void;
  /** How many files may be prepared ahead of the token (default 2). */
  lookahead?: number;
}

const CHUNK = 1 << 20;

/**
 * True when `output` is already a signed version of `input`: longer, with the input as its
 * exact prefix, and a signature dictionary in the appended part.
 */
export async function isSignedVersionOf(input: string, output: string, level: PadesLevel = 'B-B'): Promise<boolean> {
  const [si, so] = await Promise.all([stat(input).catch(() => null), stat(output).catch(() => null)]);
  if (!si || !so || so.size <= si.size) return false;
  const [a, b] = await Promise.all([open(input, 'r'), open(output, 'r')]);
  try {
    const ba = Buffer.allocUnsafe(CHUNK);
    const bb = Buffer.allocUnsafe(CHUNK);
    for (let off = 0; off < si.size; off += CHUNK) {
      const n = Math.min(CHUNK, si.size - off);
      const [ra, rb] = await Promise.all([a.read(ba, 0, n, off), b.read(bb, 0, n, off)]);
      if (ra.bytesRead !== n || rb.bytesRead !== n || !ba.subarray(0, n).equals(bb.subarray(0, n))) return false;
    }
    const tailLen = Math.min(so.size - si.size, 8 << 20);
    const tail = Buffer.alloc(tailLen);
    await b.read(tail, 0, tailLen, si.size);
    const text = tail.toString('latin1');
    return /\/ByteRange\s*\[/.test(text) && /%%EOF\s*$/.test(text) && atLeast(levelOfAppendix(text), level);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/**
 * The PAdES level the appended part reaches, from its markers: a document timestamp over a
 * DSS (B-LTA), a DSS (B-LT), a signature timestamp in the CMS (its attribute OID in the
 * hex /Contents: B-T), else B-B. A re-run asking for more than a finished output has is not
 * skipped.
 */
export function levelOfAppendix(text: string): PadesLevel {
  const dss = /\/DSS\b/.test(text);
  if (dss && /\/SubFilter\s*\/ETSI\.RFC3161/.test(text)) return 'B-LTA';
  if (dss) return 'B-LT';
  // DER of OID 1.2.840.113549.1.9.16.2.14 (id-aa-signatureTimeStampToken), as PDF hex.
  return /060b2a864886f70d010910020e/i.test(text) ? 'B-T' : 'B-B';
}

/** The result of an item that failed (or was cancelled) with `e`: its code and params kept. */
export function failure(item: BatchItem, e: unknown, status: 'failed' | 'cancelled' = 'failed'): BatchResult {
  const err = isKysoError(e) ? e : new KysoError('internal', { detail: e instanceof Error ? e.message : String(e) });
  return { input: item.input, output: item.output, status, error: { code: err.code, params: err.params, message: err.message } };
}

/**
 * Identity of a file for comparisons: device and inode when it exists (so a symlink, or a
 * path through a linked folder, is the file it points to), else the absolute path.
 */
async function fileKey(p: string): Promise<string> {
  try {
    const s = await stat(p);
    return `${s.dev}:${s.ino}`;
  } catch {
    return path.resolve(p);
  }
}

/** Signs every item; resolves with one result per item, in order. */
export async function signBatch(items: BatchItem[], options: BatchOptions): Promise<BatchResult[]> {
  const total = items.length;
  // Keys of every input and output, once: the checks below see through links, and a second
  // item writing an output already written in this batch would silently drop the first one.
  const keys = await Promise.all(items.map(async (i) => ({ input: await fileKey(i.input), output: await fileKey(i.output) })));
  const firstWriter = new Map<string, number>();
  keys.forEach((k, i) => {
    if (!firstWriter.has(k.output)) firstWriter.set(k.output, i);
  });
  const results: BatchResult[] = new Array(total);
  let done = 0;
  const report = (index: number, stage: BatchStage) => {
    if (stage === 'done' || stage === 'skipped' || stage === 'failed') done++;
    options.onProgress?.({ index, total, file: items[index]!.input, stage, done });
  };
  type Slot = { index: number; prepared?: PreparedSignature; result?: BatchResult };
  const prepare = async (index: number): Promise<Slot> => {
    const item = items[index]!;
    try {
      if (options.signal?.aborted) return { index, result: failure(item, new KysoError('cancelled'), 'cancelled') };
      const { input: inKey, output: outKey } = keys[index]!;
      if (firstWriter.get(outKey) !== index) throw new KysoError('signDuplicateOutput', { path: item.output });
      if (inKey === outKey && !options.overwrite) throw new KysoError('signWouldOverwrite', { path: item.input });
      if (inKey !== outKey && (await isSignedVersionOf(item.input, item.output, options.level ?? 'B-B'))) {
        return { index, result: { input: item.input, output: item.output, status: 'skipped' } };
      }
      report(index, 'hashing');
      return { index, prepared: await prepareSignature(item.input, item.output, options) };
    } catch (e) {
      return { index, result: failure(item, e, options.signal?.aborted ? 'cancelled' : 'failed') };
    }
  };
  const lookahead = Math.max(1, options.lookahead ?? 2);
  const queue: Array<Promise<Slot>> = [];
  let nextIndex = 0;
  const fill = () => {
    while (queue.length < lookahead && nextIndex < total) queue.push(prepare(nextIndex++));
  };
  fill();
  while (queue.length) {
    const slot = await queue.shift()!;
    fill(); // the next files are hashed while the token works on this one
    const item = items[slot.index]!;
    if (slot.result) {
      results[slot.index] = slot.result;
      report(slot.index, slot.result.status === 'skipped' ? 'skipped' : 'failed');
      continue;
    }
    const prepared = slot.prepared!;
    if (options.signal?.aborted) {
      await abandonSignature(prepared);
      results[slot.index] = failure(item, new KysoError('cancelled'), 'cancelled');
      continue;
    }
    try {
      report(slot.index, 'signing');
      const r = await completeSignature(prepared).catch((e: unknown) => retryLarger(e, item.input, item.output, options));
      results[slot.index] = { input: item.input, output: item.output, status: 'signed', level: r.level, result: r };
      report(slot.index, 'done');
    } catch (e) {
      results[slot.index] = failure(item, e, options.signal?.aborted ? 'cancelled' : 'failed');
      report(slot.index, 'failed');
    }
  }
  return results;
}
