/**
 * What the signatures of one file share in the modification analysis: the view of every
 * revision (each opened once, not once per signature) and the diff between two consecutive
 * revisions (the same for every signature that does not lock fields with FieldMDP). Without
 * it a document with n signatures opened n²/2 views and diffed as many revision pairs: 25
 * signatures cost a hundred times one. Closed when the file's validation ends.
 */
import type { PdfView } from '../doc.js';
import type { Modification } from '../types.js';

/** Views kept open at most (file handles); beyond, each caller opens and closes its own. */
const MAX_VIEWS = 128;

/** A view lent by the cache, or opened for the caller alone (then `owned`: close it). */
export interface Lent {
  view: PdfView | string;
  owned: boolean;
}

/** The per-file cache of revision views and consecutive-revision diffs. */
export class RevisionCache {
  private readonly views = new Map<number, Promise<PdfView | string>>();
  private readonly diffs = new Map<string, Promise<Modification[]>>();

  constructor(private readonly open: (end: number) => Promise<PdfView | string>) {}

  /** The view of the prefix `[0, end)` (an error message when unreadable). */
  async view(end: number): Promise<Lent> {
    const hit = this.views.get(end);
    if (hit) return { view: await hit, owned: false };
    if (this.views.size >= MAX_VIEWS) return { view: await this.open(end), owned: true };
    const p = this.open(end);
    this.views.set(end, p);
    return { view: await p, owned: false };
  }

  /** The diff stored under `key`, computed once. */
  diff(key: string, compute: () => Promise<Modification[]>): Promise<Modification[]> {
    let p = this.diffs.get(key);
    if (!p) {
      p = compute();
      this.diffs.set(key, p);
    }
    return p;
  }

  /** Closes every cached view. */
  async close(): Promise<void> {
    for (const p of this.views.values()) {
      const v = await p.catch(() => null);
      if (v && typeof v !== 'string') await v.close().catch(() => undefined);
    }
    this.views.clear();
    this.diffs.clear();
  }
}

/** Closes a lent view when the caller owns it. */
export async function giveBack(l: Lent): Promise<void> {
  if (l.owned && typeof l.view !== 'string') await l.view.close();
}
