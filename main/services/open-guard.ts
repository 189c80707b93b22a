/**
 * What `shell:openPath` may hand to the OS opener (issue 15.2): only documents Kyso itself
 * wrote, never an executable. A path is opened when it is a regular file inside one of Kyso's
 * folders (KYSO_HOME/inbox: received documents) or a file a Kyso job wrote in this session
 * (signed outputs, reports), links followed; its extension is on the document allow-list
 * (main/files/doc-types.ts) and its bytes are of that type. A page or a hostile sender that
 * gets a path into the UI can therefore not make one click run a program.
 */
import { statSync } from 'node:fs';
import { KysoError } from '../api/errors.js';
import { isOpenableDocument } from '../files/doc-types.js';
import { isReallyInside, realOrResolved } from '../files/inside.js';
import type { ShellHandlers } from './types.js';

/** The allow-list of files the OS opener may open. */
export class OpenGuard {
  private readonly written = new Set<string>();

  constructor(
    /** Folders whose documents may be opened (Kyso writes everything in them). */
    private readonly roots: string[],
  ) {}

  /** Records a file a Kyso job wrote (a signed PDF, a report): it may be opened later. */
  allowFile(file: string): void {
    this.written.add(realOrResolved(file));
  }

  /** The real path of `p` when it may be opened; throws `openRefused` with the reason otherwise. */
  check(p: string): string {
    const real = realOrResolved(p);
    let st;
    try {
      st = statSync(real);
    } catch {
      throw new KysoError('fileNotFound', { path: p });
    }
    if (!st.isFile() || (!this.written.has(real) && !this.roots.some((r) => isReallyInside(r, real)))) throw new KysoError('openNotKyso', { path: p });
    if (!isOpenableDocument(real)) throw new KysoError('openNotDocument', { path: p });
    return real;
  }

  /** `handler` with the file its result names (`output`) recorded as written by Kyso. */
  recording<I, C, O extends { output: string | null }>(handler: (input: I, ctx: C) => Promise<O>): (input: I, ctx: C) => Promise<O> {
    return async (input, ctx) => {
      const r = await handler(input, ctx);
      if (r.output) this.allowFile(r.output);
      return r;
    };
  }

  /** The transport's `shell:openPath` behind this guard: the OS opener only sees checked paths. */
  guard(shell: ShellHandlers): ShellHandlers {
    const open = shell['shell:openPath'];
    return { ...shell, 'shell:openPath': async (input, ctx) => open({ path: this.check(input.path) }, ctx) };
  }
}
