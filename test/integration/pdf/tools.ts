/** External PDF tools used as oracles and fixture makers in the pdf tests. */
import { execFileSync, spawnSync } from 'node:child_process';

/** Runs qpdf with args; throws on a non-zero exit other than 3 (warnings). */
export function qpdf(...args: string[]): string {
  const r = spawnSync('qpdf', args, { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 3) throw new Error(`qpdf ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `qpdf --check`: returns [exit status, output]. 0 is clean, 3 is warnings, 2 errors. */
export function qpdfCheck(file: string): { status: number | null; out: string } {
  const r = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** Text of a PDF as pdftotext sees it. */
export function pdftotext(file: string): string {
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** Page count according to mutool. */
export function mutoolPages(file: string): number {
  const out = execFileSync('mutool', ['info', file], { encoding: 'utf8' });
  return Number(/Pages:\s*(\d+)/.exec(out)?.[1] ?? NaN);
}
