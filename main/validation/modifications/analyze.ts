/**
 * Modification analysis for one signature: checks that the final file extends the signed
 * revision through proper incremental updates, then diffs each later revision against the one
 * before it and classifies every changed object (see rules.ts).
 */
import type { PdfObject } from '../../pdf/objects.js';
import { nonWhite, PdfView } from '../doc.js';
import type { SharedParse } from '../../pdf/revisions.js';
import type { Modification } from '../types.js';
import { deepEqual } from '../values.js';
import { buildContext } from './context.js';
import { classifyChanged, classifyNew, type Verdict } from './rules.js';
import type { ShadowDefinition } from './shadow-defs.js';
import { giveBack, RevisionCache, type Lent } from './revision-cache.js';

/** Inputs: the file (as its final view), where every %%EOF ends, and where the signed revision ends. */
export interface AnalyzeInput {
  path: string;
  final: PdfView;
  /** Offsets just after each %%EOF of the file (eofOffsets). */
  eofs: number[];
  signedEnd: number;
  p: number;
  locked: (name: string) => boolean;
  /** Later unlisted definitions a repairing reader would use (files that needed repair). */
  shadows?: ShadowDefinition[];
  /** Views and diffs shared by the file's signatures (one per call when absent). */
  cache?: RevisionCache;
  /** Identifies `locked` for sharing diffs ('' when no FieldMDP lock; undefined: never shared). */
  lockKey?: string;
}

/** Ends (exclusive) of every revision of the final view, ascending. */
export function revisionEnds(eofs: number[], final: PdfView): number[] {
  const ends = new Set<number>();
  for (const off of final.sectionOffsets) {
    const e = eofs.find((x) => x > off);
    if (e !== undefined) ends.add(e);
  }
  return [...ends].sort((a, b) => a - b);
}

/**
 * Index of the revision a signature over `[0, signedEnd)` signed. A revision ends at its
 * `%%EOF`; the end-of-line after it is optional and as often belongs to the next update (a
 * producer that signs up to `%%EOF` and another that starts its update with a newline), so
 * ends that differ from `signedEnd` only by whitespace are the same revision.
 */
export async function revisionOf(final: PdfView, ends: number[], signedEnd: number): Promise<number> {
  const exact = ends.indexOf(signedEnd);
  if (exact >= 0) return exact;
  for (let k = 0; k < ends.length; k++) {
    const e = ends[k]!;
    if (Math.abs(e - signedEnd) > 64) continue;
    if (!(await nonWhite(final.source, Math.min(e, signedEnd), Math.max(e, signedEnd)))) return k;
  }
  return -1;
}

async function diff(older: PdfView, newer: PdfView, revision: number, p: number, locked: (n: string) => boolean): Promise<Modification[]> {
  const out: Verdict[] = [];
  if (older.rootNum() !== newer.rootNum()) out.push({ class: 'notAllowed', allowed: false, code: 'rootReplaced', detail: 'document catalog replaced' });
  const ctx = await buildContext(older);
  const env = { older, newer, ctx, p, locked };
  const nums = new Set([...older.entries.keys(), ...newer.entries.keys()]);
  let auxiliary = 0;
  for (const num of [...nums].sort((a, b) => a - b)) {
    if (num === 0) continue;
    const ea = older.entries.get(num);
    const eb = newer.entries.get(num);
    if (ea && eb && ea.type === 'offset' && eb.type === 'offset' && ea.offset === eb.offset) continue;
    // Same slot of the same, unmoved object stream: the bytes are identical.
    if (ea?.type === 'compressed' && eb?.type === 'compressed' && ea.stream === eb.stream && ea.index === eb.index) {
      const sa = older.entries.get(ea.stream);
      const sb = newer.entries.get(eb.stream);
      if (sa?.type === 'offset' && sb?.type === 'offset' && sa.offset === sb.offset) continue;
    }
    if ((!ea || ea.type === 'free') && (!eb || eb.type === 'free')) continue;
    let before: PdfObject | undefined;
    let after: PdfObject | undefined;
    try {
      before = ea && ea.type !== 'free' ? await older.get(num) : undefined;
    } catch {
      before = undefined;
    }
    try {
      after = eb && eb.type !== 'free' ? await newer.get(num) : undefined;
    } catch (e) {
      out.push({ object: num, class: 'notAllowed', allowed: false, code: 'objectUnreadable', detail: `object ${num} unreadable: ${(e as Error).message}` });
      continue;
    }
    if (before !== undefined && (after === undefined || after === null)) {
      if (before === null) continue;
      out.push({ object: num, class: 'notAllowed', allowed: false, code: 'objectDeleted', detail: `object ${num} deleted` });
      continue;
    }
    if (after === undefined) continue;
    if (before === undefined || before === null) {
      const v = classifyNew(env, num, after);
      if (v.class === 'auxiliary') auxiliary++;
      else out.push(v);
      continue;
    }
    if (await deepEqual(before, after)) continue;
    out.push(...(await classifyChanged(env, num, before, after)));
  }
  if (auxiliary) out.push({ class: 'auxiliary', allowed: true, code: 'objectsAdded', detail: `${auxiliary} new supporting objects` });
  return out.map((v) => ({ revision, ...v }));
}

/** Result of the analysis: every change, and whether the signature covers the whole file. */
export interface AnalyzeResult {
  modifications: Modification[];
  coversWholeDocument: boolean;
  /** 1-based revision number the signature signed, when found. */
  revision: number | null;
  revisions: number;
}

/** Opens the view of the prefix `[0, end)`, or returns the error message. */
async function openPrefix(path: string, end: number, password?: string, shared?: SharedParse): Promise<PdfView | string> {
  try {
    return await PdfView.open(path, end, password, shared);
  } catch (e) {
    return (e as Error).message;
  }
}

/** Runs the analysis (never throws: unreadable later revisions become rejected changes). */
export async function analyzeModifications(input: AnalyzeInput): Promise<AnalyzeResult> {
  const { final, signedEnd } = input;
  const size = final.size;
  const ends = revisionEnds(input.eofs, final);
  const lastEnd = ends[ends.length - 1] ?? size;
  const mods: Modification[] = [];
  const idx = await revisionOf(final, ends, signedEnd);
  const revision = idx >= 0 ? idx + 1 : null;
  const trailing = await nonWhite(final.source, Math.max(lastEnd, signedEnd), size);
  if (trailing) mods.push({ revision: ends.length + 1, class: 'notAllowed', allowed: false, code: 'dataAfterEof', detail: `bytes after the last %%EOF (offset ${lastEnd})` });
  const covers = signedEnd === size || (!(await nonWhite(final.source, signedEnd, size)) && idx === ends.length - 1);
  for (const sh of input.shadows ?? []) {
    const rev = ends.findIndex((e) => e > sh.offset);
    mods.push({ revision: rev < 0 ? ends.length + 1 : rev + 1, object: sh.num, class: 'notAllowed', allowed: false, code: 'shadowDefinition', detail: `object ${sh.num} is defined again at ${sh.offset}, outside the cross-reference data` });
  }
  if (idx < 0) {
    if (restartedAfter(input, signedEnd)) return rewritten(input, mods, covers);
    mods.push({ revision: 0, class: 'notAllowed', allowed: false, code: 'signedRevisionNotInChain', detail: 'the signed revision is not part of the current cross-reference chain' });
    return { modifications: mods, coversWholeDocument: false, revision, revisions: ends.length };
  }
  const own = !input.cache;
  const cache = input.cache ?? new RevisionCache((end) => openPrefix(input.path, end, input.final.password, input.final.shared));
  try {
    mods.push(...(await laterRevisions(input, cache, ends, idx)));
  } finally {
    if (own) await cache.close();
  }
  return { modifications: mods, coversWholeDocument: covers, revision, revisions: ends.length };
}

/** The chain check and the diffs of every revision after the signed one (index `idx`). */
async function laterRevisions(input: AnalyzeInput, cache: RevisionCache, ends: number[], idx: number): Promise<Modification[]> {
  const { final, signedEnd } = input;
  const mods: Modification[] = [];
  // The signed view is opened exactly at the signed end (which may differ from ends[idx] by an EOL).
  let olderLent: Lent = await cache.view(signedEnd);
  if (typeof olderLent.view === 'string') {
    mods.push({ revision: idx + 1, class: 'notAllowed', allowed: false, code: 'signedRevisionUnreadable', detail: olderLent.view });
    return mods;
  }
  let older: PdfView = olderLent.view;
  try {
    // The final chain must pass through exactly the signed revision's xref sections.
    const signedOffsets = older.sectionOffsets.join(',');
    const finalOlder = final.sectionOffsets.filter((o) => o < signedEnd).join(',');
    if (signedOffsets !== finalOlder) {
      mods.push({ revision: idx + 1, class: 'notAllowed', allowed: false, code: 'xrefChainMismatch', detail: 'cross-reference sections inside the signed range disagree with the current chain' });
    }
    for (let k = idx + 1; k < ends.length; k++) {
      const newerLent = k === ends.length - 1 && ends[k] === final.size ? { view: final, owned: false } : await cache.view(ends[k]!);
      const newer = newerLent.view;
      if (typeof newer === 'string') {
        mods.push({ revision: k + 1, class: 'notAllowed', allowed: false, code: 'revisionUnreadable', detail: newer });
        break;
      }
      if (newer.sectionOffsets[0]! < ends[k - 1]!) {
        mods.push({ revision: k + 1, class: 'notAllowed', allowed: false, code: 'xrefInsideSignedRange', detail: 'a later revision uses a cross-reference section located inside earlier bytes' });
      }
      try {
        // Consecutive revisions diff the same for every signature with the same field locks.
        const run = (): Promise<Modification[]> => diff(older, newer, k + 1, input.p, input.locked);
        const key = input.lockKey === undefined ? undefined : `${older.size}>${newer.size}:${input.lockKey}`;
        mods.push(...(key === undefined ? await run() : await cache.diff(key, run)));
      } finally {
        await giveBack(olderLent);
        olderLent = newerLent;
        older = newer;
      }
    }
  } finally {
    await giveBack(olderLent);
  }
  return mods;
}

/**
 * True when the current cross-reference chain lies wholly after the signed revision, which
 * ends at an %%EOF: a later update rewrote the cross-reference data for every object without
 * /Prev (what a writer does after repairing a broken chain). Readers see only that complete
 * section, so the signed revision is compared with it directly.
 */
function restartedAfter(input: AnalyzeInput, signedEnd: number): boolean {
  // The byte range check already proved that the signed part ends at an %%EOF.
  const { final } = input;
  return final.sectionOffsets.every((o) => o >= signedEnd) && !final.trailer.has('Prev');
}

/** The analysis for a signed revision superseded by a complete cross-reference rewrite. */
async function rewritten(input: AnalyzeInput, mods: Modification[], covers: boolean): Promise<AnalyzeResult> {
  const { final, signedEnd } = input;
  const revisions = input.eofs.filter((e) => e <= final.size).length;
  const revision = input.eofs.filter((e) => e <= signedEnd + 2).length;
  mods.push({ revision: revisions, class: 'auxiliary', allowed: true, code: 'xrefRewritten', detail: 'a later update rewrote the cross-reference data for every object' });
  const signed = await openPrefix(input.path, signedEnd, input.final.password, input.final.shared);
  if (typeof signed === 'string') {
    mods.push({ revision, class: 'notAllowed', allowed: false, code: 'signedRevisionUnreadable', detail: signed });
    return { modifications: mods, coversWholeDocument: false, revision, revisions };
  }
  try {
    mods.push(...(await diff(signed, final, revisions, input.p, input.locked)));
  } finally {
    await signed.close();
  }
  return { modifications: mods, coversWholeDocument: covers, revision, revisions };
}
