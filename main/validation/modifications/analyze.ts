/**
 * Modification analysis for one signature: checks that the final file extends the signed
 * revision through proper incremental updates, then diffs each later revision against the one
 * before it and classifies every changed object (see rules.ts).
 */
import { eofOffsets, PdfView } from '../pdf/document.js';
import { deepEqual, type PdfValue } from '../pdf/objects.js';
import type { Modification } from '../types.js';
import { buildContext } from './context.js';
import { classifyChanged, classifyNew, type Verdict } from './rules.js';

/** Inputs: the whole file, its final view and where the signed revision ends. */
export interface AnalyzeInput {
  buf: Buffer;
  final: PdfView;
  signedEnd: number;
  p: number;
  locked: (name: string) => boolean;
}

/** Ends (exclusive) of every revision of the final view, ascending. */
export function revisionEnds(buf: Buffer, final: PdfView): number[] {
  const eofs = eofOffsets(buf);
  const ends = new Set<number>();
  for (const s of final.sections) {
    const e = eofs.find((x) => x > s.offset);
    if (e !== undefined) ends.add(e);
  }
  return [...ends].sort((a, b) => a - b);
}

function nonWhite(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0x0c && c !== 0x00) return true;
  }
  return false;
}

function diff(older: PdfView, newer: PdfView, revision: number, p: number, locked: (n: string) => boolean): Modification[] {
  const out: Verdict[] = [];
  if (older.rootNum() !== newer.rootNum()) out.push({ class: 'notAllowed', allowed: false, code: 'rootReplaced', detail: 'document catalog replaced' });
  const ctx = buildContext(older);
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
    let before: PdfValue | undefined;
    let after: PdfValue | undefined;
    try {
      before = ea && ea.type !== 'free' ? older.get(num) : undefined;
    } catch {
      before = undefined;
    }
    try {
      after = eb && eb.type !== 'free' ? newer.get(num) : undefined;
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
    if (deepEqual(before, after)) continue;
    out.push(...classifyChanged(env, num, before, after));
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

/** Runs the analysis (never throws: unreadable later revisions become rejected changes). */
export function analyzeModifications(input: AnalyzeInput): AnalyzeResult {
  const { buf, final, signedEnd } = input;
  const ends = revisionEnds(buf, final);
  const lastEnd = ends[ends.length - 1] ?? buf.length;
  const mods: Modification[] = [];
  const idx = ends.indexOf(signedEnd);
  const revision = idx >= 0 ? idx + 1 : null;
  const trailing = nonWhite(buf, Math.max(lastEnd, signedEnd), buf.length);
  if (trailing) mods.push({ revision: ends.length + 1, class: 'notAllowed', allowed: false, code: 'dataAfterEof', detail: `bytes after the last %%EOF (offset ${lastEnd})` });
  const covers = signedEnd === buf.length || (!nonWhite(buf, signedEnd, buf.length) && idx === ends.length - 1);
  if (idx < 0) {
    mods.push({ revision: 0, class: 'notAllowed', allowed: false, code: 'signedRevisionNotInChain', detail: 'the signed revision is not part of the current cross-reference chain' });
    return { modifications: mods, coversWholeDocument: false, revision, revisions: ends.length };
  }
  let older: PdfView;
  try {
    older = new PdfView(buf, signedEnd);
  } catch (e) {
    mods.push({ revision: idx + 1, class: 'notAllowed', allowed: false, code: 'signedRevisionUnreadable', detail: (e as Error).message });
    return { modifications: mods, coversWholeDocument: false, revision, revisions: ends.length };
  }
  // The final chain must pass through exactly the signed revision's xref sections.
  const signedOffsets = older.sections.map((s) => s.offset).join(',');
  const finalOlder = final.sections.filter((s) => s.offset < signedEnd).map((s) => s.offset).join(',');
  if (signedOffsets !== finalOlder) {
    mods.push({ revision: idx + 1, class: 'notAllowed', allowed: false, code: 'xrefChainMismatch', detail: 'cross-reference sections inside the signed range disagree with the current chain' });
  }
  for (let k = idx + 1; k < ends.length; k++) {
    let newer: PdfView;
    try {
      newer = new PdfView(buf, ends[k]!);
    } catch (e) {
      mods.push({ revision: k + 1, class: 'notAllowed', allowed: false, code: 'revisionUnreadable', detail: (e as Error).message });
      break;
    }
    if (newer.sections[0]!.offset < ends[k - 1]!) {
      mods.push({ revision: k + 1, class: 'notAllowed', allowed: false, code: 'xrefInsideSignedRange', detail: 'a later revision uses a cross-reference section located inside earlier bytes' });
    }
    mods.push(...diff(older, newer, k + 1, input.p, input.locked));
    older = newer;
  }
  return { modifications: mods, coversWholeDocument: covers, revision, revisions: ends.length };
}
