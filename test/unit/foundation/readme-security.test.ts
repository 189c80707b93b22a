/** README's Security section names the test behind each promise: every file it names exists. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('README security section', () => {
  it('names only test files that exist, one or more per promise', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = /^## Security\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
    const promises = section.split('\n- **').slice(1);
    expect(promises.length).toBeGreaterThanOrEqual(13);
    for (const p of promises) {
      const files = p.match(/test\/[\w./-]+\.test\.ts/g) ?? [];
      expect(files, p.slice(0, 60)).not.toEqual([]);
      for (const f of files) expect(existsSync(f), f).toBe(true);
    }
  });
});
