/** `kyso token` without a subcommand prints its usage in the chosen language. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { env: {}, out: (s) => (out += s), err: (s) => (err += s), isTty: false });
  return { code, out, err };
}

describe('kyso token usage', () => {
  it('lists the subcommands (vi and en) and rejects unknown ones', async () => {
    const vi = await cli(['token', '--lang', 'vi']);
    expect(vi.code).toBe(2);
    expect(vi.out).toContain('Cách dùng: kyso token');
    expect(vi.out).toContain('không bao giờ là tham số thường');
    const en = await cli(['token', '--help', '--lang', 'en']);
    expect(en.code).toBe(0);
    for (const sub of ['list', 'init', 'set-pin', 'unblock-pin', 'change-pin', 'keygen', 'csr', 'import-cert', 'delete', 'rename', 'inventory']) expect(en.out).toMatch(new RegExp(`(  |\\| )${sub} `));
    const bad = await cli(['token', 'frobnicate', '--lang', 'en']);
    // A usage error: 2, like an unknown top-level command.
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('token frobnicate');
  });
});
