/**
 * Where a web request's stamp goes, in order: what the request itself says (VNPT-CA gives a
 * rectangle), the placement the user saved for the role, the role's anchor text (settings:
 * e.g. "PHÓ CHỦ TỊCH" for the approval stamp) found on the document, the spot Decree 30 gives
 * the role (attachment, copy, incoming stamps: top of page 1), else the user places it in the
 * consent dialog (or, without a dialog, the role's customary spot).
 */
import { isKysoError } from '../api/errors.js';
import { findText } from '../pdf/text-extract.js';
import { PdfFile } from '../pdf/reader.js';
import type { JsonValue } from '../store/settings-repo.js';
import type { Placement, SignatureRole } from '../signing/types.js';
import type { PlacedBox } from './consent/types.js';

/** How the placement was decided, and the placement the signer gets. */
export interface PlacementPlan {
  source: 'request' | 'saved' | 'anchor' | 'decree' | 'default' | 'ask' | 'invisible';
  placement?: Placement;
}

/** Roles whose place Decree 30 fixes (or that custom puts at the top of page 1). */
const DECREE_PLACED: SignatureRole[] = ['attachment', 'copy', 'incoming'];
/** Pages searched for an anchor, from the last one back (signature blocks end documents). */
const ANCHOR_PAGES = 20;

/** Saved placements per role from the settings value (user-editable JSON: checked). */
export function savedPlacements(v: JsonValue | undefined): Partial<Record<SignatureRole, PlacedBox>> {
  const out: Partial<Record<SignatureRole, PlacedBox>> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [role, p] of Object.entries(v)) {
    if (!p || typeof p !== 'object' || Array.isArray(p)) continue;
    const { page, rect } = p as { page?: unknown; rect?: unknown };
    if (typeof page === 'number' && Number.isInteger(page) && page >= 1 && Array.isArray(rect) && rect.length === 4 && rect.every((n) => typeof n === 'number' && Number.isFinite(n)) && (rect[2] as number) > 0 && (rect[3] as number) > 0) {
      out[role as SignatureRole] = { page, rect: rect as PlacedBox['rect'] };
    }
  }
  return out;
}

/** Anchor texts per role from the settings value. */
export function anchorTexts(v: JsonValue | undefined): Partial<Record<SignatureRole, string>> {
  const out: Partial<Record<SignatureRole, string>> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [role, a] of Object.entries(v)) if (typeof a === 'string' && a.trim()) out[role as SignatureRole] = a.trim().slice(0, 200);
  return out;
}

/** The page (1-based) where `text` last appears, searching from the end; undefined when absent. */
export async function findAnchorPage(file: string, pages: number, text: string): Promise<number | undefined> {
  let pdf: PdfFile | undefined;
  try {
    pdf = await PdfFile.open(file);
    for (let i = pages - 1; i >= Math.max(0, pages - ANCHOR_PAGES); i--) {
      if ((await findText(pdf, i, text)).length) return i + 1;
    }
    return undefined;
  } catch (e) {
    // A page whose text cannot be read has no anchor; the user places the stamp.
    if (isKysoError(e)) return undefined;
    throw e;
  } finally {
    await pdf?.close();
  }
}

/** What the planner needs. */
export interface PlanInput {
  role: SignatureRole;
  file: string;
  pages: number;
  requested?: PlacedBox;
  saved: Partial<Record<SignatureRole, PlacedBox>>;
  anchors: Partial<Record<SignatureRole, string>>;
  /** The consent can let the user place the stamp. */
  canPlace: boolean;
}

/** Decides where the stamp goes (see the module comment for the order). */
export async function planPlacement(i: PlanInput): Promise<PlacementPlan> {
  if (i.role === 'invisible') return { source: 'invisible' };
  if (i.requested) return { source: 'request', placement: { page: Math.min(i.requested.page, i.pages), rect: i.requested.rect } };
  const saved = i.saved[i.role];
  // A saved spot on page 3 of a two-page document goes to its last page.
  if (saved) return { source: 'saved', placement: { page: Math.min(saved.page, i.pages), rect: saved.rect } };
  const anchor = i.anchors[i.role];
  if (anchor) {
    const page = await findAnchorPage(i.file, i.pages, anchor);
    if (page) return { source: 'anchor', placement: { page, anchor } };
  }
  if (DECREE_PLACED.includes(i.role)) return { source: 'decree' };
  return { source: i.canPlace ? 'ask' : 'default' };
}
