/** Bad values given to the server and register commands: one clear line each, not a raw Node error. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cli-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function kyso(args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runCli(['--lang', 'en', ...args], { env: { ...process.env, KYSO_HOME: path.join(dir, 'home') }, out: () => undefined, err: (t) => (err += t), isTty: false });
  return { code, err };
}

it('says which value is wrong', async () => {
  const data = path.join(dir, 'data');
  expect((await kyso(['server', 'org', 'add', '--data', data, '--code', '000.00.00.H99', '--name', 'UBND'])).code).toBe(0);
  const cases: Array<[string[], string]> = [
    [['server', 'user', 'add', '--data', data, '--org', '000.00.00.H99', '--cert', path.join(dir, 'none.pem')], `File not found: ${path.join(dir, 'none.pem')}`],
    [['server', 'audit', '--data', data, '--limit', 'abc'], 'Invalid value for --limit: "abc"'],
    [['server', '--data', data, '--port', '99999'], 'Invalid value for --port: "99999"'],
    [['register', 'list', '--year', 'abc'], 'Invalid value for --year: "abc"'],
  ];
  for (const [args, message] of cases) {
    const r = await kyso(args);
    expect(r.code, args.join(' ')).not.toBe(0);
    expect(r.err, args.join(' ')).toContain(message);
  }
});
