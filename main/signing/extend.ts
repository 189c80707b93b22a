/** `kyso extend`: adds B-LT (DSS) and optionally B-LTA (document timestamp) to a signed PDF, atomically. */
import { stat } from 'node:fs/promises';
import { copyForUpdate } from '../pdf/file-writes.js';
import path from 'node:path';
import { isKysoError, KysoError } from '../api/errors.js';
import type { TsaConfig } from '../pki/tsa-client.js';
import { commitTemp, outputError, removeTemps, tempPathFor, writeError } from './atomic.js';
import { appendDocTimestamp, appendDss } from './levels.js';

/** Options of an extension. */
export interface ExtendOptions {
  level: 'B-LT' | 'B-LTA';
  tsa?: TsaConfig;
  timeoutMs?: number;
  /** Password of an encrypted input. */
  password?: string;
  signal?: AbortSignal;
}

/** Extends `input` into `output` (default: in place, replaced atomically). */
export async function extendPdf(input: string, output: string = input, options: ExtendOptions): Promise<{ output: string; level: 'B-LT' | 'B-LTA'; size: number }> {
  if (options.level === 'B-LTA' && !options.tsa) throw new KysoError('signTsaRequired', { level: options.level });
  const st = await stat(input).catch(() => {
    throw new KysoError('fileNotFound', { path: input });
  });
  // A folder, device or FIFO: copying a FIFO nobody writes to never returns.
  if (!st.isFile()) throw new KysoError('fileNotRegular', { path: input });
  const temp = tempPathFor(path.resolve(output));
  try {
    await copyForUpdate(input, temp).catch((e: unknown) => {
      throw writeError(e, temp);
    });
    await appendDss(temp, [], { ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}), password: options.password });
    if (options.level === 'B-LTA') await appendDocTimestamp(temp, options.tsa!, 'SHA-256', options.signal, options.password);
    const size = (await stat(temp)).size;
    await commitTemp(temp, output);
    return { output, level: options.level, size };
  } catch (e) {
    await removeTemps([temp]);
    // The temp file is a copy of the input: what is wrong with its content is the input's.
    const aboutContent = isKysoError(e) && e.code !== 'diskFull' && e.code !== 'fileWrite';
    throw outputError(e, aboutContent ? input : output);
  }
}
