/**
 * `npm test` leaves the work tree clean: the e2e specs save screenshots through
 * test/e2e/helpers/screenshots.ts, which writes to an ignored folder unless `npm run
 * screenshots` asks for docs/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { screenshotDir } from '../../e2e/helpers/screenshots.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe('e2e screenshots', () => {
  it('go to a git-ignored folder in a test run, to docs/screenshots only when asked', () => {
    const run = screenshotDir({});
    expect(path.relative(root, run)).toBe(path.join('test-results', 'screenshots'));
    // check-ignore exits 0 when the path is ignored.
    execFileSync('git', ['check-ignore', '-q', path.join(run, 'home.png')], { cwd: root });
    expect(screenshotDir({ KYSO_SCREENSHOTS: 'docs' })).toBe(path.join(root, 'docs', 'screenshots'));
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.screenshots).toContain('--screenshots');
  });

  it('are never written by a spec straight into docs/', () => {
    const dir = path.join(root, 'test', 'e2e');
    const specs = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
    const offenders = specs.filter((f) => /['"]docs['"]|docs\/screenshots/.test(readFileSync(f, 'utf8').replace(/^\s*(\*|\/\/).*$/gm, '')));
    expect(specs.length).toBeGreaterThan(3);
    expect(offenders).toEqual([]);
  });
});
