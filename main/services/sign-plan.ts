/**
 * The cheap first step of every signing job, whoever asks (the Sign screens through
 * `sign:files`, `kyso sign`, the local signing service, a gateway): which file goes where,
 * refused before anything touches the disk or the token, and the TSA settings. Kept free of
 * the signing engine so a refused command costs no engine load.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { KysoError } from '../api/errors.js';
import { writeError } from '../signing/atomic.js';
import type { TsaConfig } from '../pki/tsa-client.js';
import type { BatchItem } from '../signing/batch.js';

/** One file of a job: where it is read from and where its signed version goes. */
export type SignItem = BatchItem;

/** Where the signed files of a job go. */
export interface SignTargets {
  files: string[];
  /** The output file (one input only). */
  output?: string;
  /** A folder for the outputs, which keep their file names. */
  outDir?: string;
  /** Without output or outDir: replace each input (atomically). */
  overwrite?: boolean;
}

/** Outputs for inputs in `outDir`, keeping the file names; two inputs with one name are refused. */
export function outputsInDir(inputs: string[], outDir: string): SignItem[] {
  const seen = new Set<string>();
  return inputs.map((input) => {
    const output = path.join(outDir, path.basename(input));
    if (seen.has(output)) throw new KysoError('signDuplicateOutput', { path: output });
    seen.add(output);
    return { input, output };
  });
}

/** The input/output pairs of a job; throws the reason when they cannot be (nothing is created). */
export function planSignOutputs(t: SignTargets): SignItem[] {
  if (!t.files.length) throw new KysoError('cliMissingInput');
  if (t.outDir !== undefined) return outputsInDir(t.files, t.outDir);
  if (t.output !== undefined) {
    if (t.files.length !== 1) throw new KysoError('cliOutNeedsOneFile');
    return [{ input: t.files[0]!, output: t.output }];
  }
  if (t.overwrite) return t.files.map((f) => ({ input: f, output: f }));
  throw new KysoError('cliMissingOutput');
}

/**
 * Plans the outputs, then creates the output folder: only once the list is known to be good,
 * so a refused job leaves no folder behind.
 */
export function prepareSignOutputs(t: SignTargets): SignItem[] {
  const items = planSignOutputs(t);
  if (t.outDir !== undefined) {
    try {
      mkdirSync(t.outDir, { recursive: true });
    } catch (e) {
      throw writeError(e, t.outDir);
    }
  }
  return items;
}

/** The TSA to use: its URL, with the optional KYSO_TSA_USER / KYSO_TSA_PASSWORD credentials. */
export function tsaConfig(url: string | undefined, env: NodeJS.ProcessEnv): TsaConfig | undefined {
  if (!url) return undefined;
  const user = env.KYSO_TSA_USER;
  return { url, ...(user ? { auth: { username: user, password: env.KYSO_TSA_PASSWORD ?? '' } } : {}) };
}
