/** What changed after the signature: the modification analysis and its verdict. */
import { analyzeModifications } from '../modifications/analyze.js';
import type { SignatureRun } from './context.js';

/** Runs the modification analysis and stores its findings on the result (no check yet). */
export async function analyzeStep(run: SignatureRun): Promise<void> {
  const { env, result } = run;
  const mods = await analyzeModifications({ path: env.path, final: env.final, eofs: env.eofs, signedEnd: run.signedEnd, p: env.p, locked: env.locked, shadows: env.shadows, cache: env.revisions, lockKey: env.lockKey });
  result.modifications = mods.modifications;
  result.coversWholeDocument = mods.coversWholeDocument;
  result.revision = mods.revision;
}

/** Records the modifications and DocMDP checks (disallowed changes fail the signature). */
export function modificationChecks(run: SignatureRun): void {
  const { result, checks, env } = run;
  const bad = result.modifications.filter((m) => !m.allowed);
  if (bad.length) checks.add('modifications', 'fail', bad[0]!.code, { count: bad.length }, { indication: 'TOTAL_FAILED', sub: 'SIG_CONSTRAINTS_FAILURE' });
  else if (result.coversWholeDocument) checks.add('modifications', 'pass', 'wholeDocument');
  else checks.add('modifications', 'pass', 'allowedChangesOnly', { count: result.modifications.length });
  checks.add('docMdp', 'pass', 'docMdpLevel', { p: env.p });
  // A permitted form fill that redrew a field: the signature stands, the look does not.
  const redrawn = [...new Set(result.modifications.filter((m) => m.code === 'fieldAppearanceChanged').map((m) => /^page (\d+)/.exec(m.detail)?.[1] ?? '?'))];
  if (redrawn.length) checks.add('modifications', 'warn', 'pageLooksDifferent', { pages: redrawn.join(', ') });
  // The verdict stands, but the reader had to repair the file to reach it: say so.
  if (env.repairKind) checks.add('structure', 'warn', `xrefRepaired_${env.repairKind}`);
}
