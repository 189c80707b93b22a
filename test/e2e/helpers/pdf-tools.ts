/** What poppler and qpdf (tools no one here wrote) see in a signed PDF, stamps included. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** A copy of `file` in `dir` with its widgets flattened into the page (qpdf), as a viewer prints it. */
function flattened(file: string, dir: string): string {
  const flat = path.join(dir, `flat-${path.basename(file)}`);
  execFileSync('qpdf', ['--flatten-annotations=all', '--', file, flat]);
  return flat;
}

/** Text a viewer renders for the file, stamps included (pdftotext -raw of the flattened copy). */
export function renderedText(file: string, dir: string): string {
  return execFileSync('pdftotext', ['-raw', flattened(file, dir), '-'], { encoding: 'utf8' });
}

/** Number of images (soft masks not counted) that pdfimages finds in the flattened copy. */
export function imageCount(file: string, dir: string): number {
  const list = execFileSync('pdfimages', ['-list', flattened(file, dir)], { encoding: 'utf8' }).split('\n').slice(2);
  return list.filter((l) => l.trim() && !/\bsmask\b/.test(l)).length;
}
