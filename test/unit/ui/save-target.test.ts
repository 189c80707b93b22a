/** renderer/src/saveTarget.ts: one question before replacing a file, never none. */
import { describe, expect, it } from 'vitest';
import { replaceConfirmed } from '../../../renderer/src/saveTarget.js';

describe('replacing a file the user chose in the save dialog', () => {
  it('replaces without a second question the very file the native dialog confirmed', () => {
    expect(replaceConfirmed(true, '/home/ana/Công văn.pdf', '/home/ana/Công văn.pdf')).toBe(true);
  });

  it('asks in the page when Kyso would write another file than the one confirmed, or nobody confirmed', () => {
    // The typed name was cleaned and given the file's real extension: that file was never confirmed.
    expect(replaceConfirmed(true, '/home/ana/bao-cao.exe', '/home/ana/bao-cao.pdf')).toBe(false);
    // The browser host's folder picker asks nothing.
    expect(replaceConfirmed(false, '/home/ana/a.pdf', '/home/ana/a.pdf')).toBe(false);
    expect(replaceConfirmed(true, '/home/ana/a.pdf', undefined)).toBe(false);
  });
});
