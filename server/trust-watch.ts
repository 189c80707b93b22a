/**
 * Notices changes to the server's trust material on disk (DATA/trust, DATA/crl and the files
 * given with --trust / --crl): a new CRL must end the sessions of the certificates it revokes
 * without a restart. Polls sizes and modification times (cheap; works on every filesystem,
 * unlike fs.watch) and calls `onChange` once per change, never twice at the same time.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** A digest of what the sources hold: names, sizes and modification times. */
function stateOf(sources: string[]): string {
  const parts: string[] = [];
  for (const s of sources) {
    if (!existsSync(s)) {
      parts.push(`${s}:-`);
      continue;
    }
    const st = statSync(s);
    const files = st.isDirectory() ? readdirSync(s).sort().map((f) => path.join(s, f)) : [s];
    for (const f of files) {
      try {
        const fs = statSync(f);
        parts.push(`${f}:${fs.size}:${fs.mtimeMs}`);
      } catch {
        parts.push(`${f}:?`);
      }
    }
  }
  return parts.join('\n');
}

/** Starts polling; returns the function that stops it. */
export function watchTrust(sources: string[], everyMs: number, onChange: () => Promise<void>, onError: (e: unknown) => void = (e) => void process.stderr.write(`kyso-server: reloading trust material failed: ${e instanceof Error ? e.message : String(e)}\n`)): () => void {
  let last = stateOf(sources);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    let now: string;
    try {
      now = stateOf(sources);
    } catch {
      return;
    }
    if (now === last) return;
    last = now;
    running = true;
    onChange()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
