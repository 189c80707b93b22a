/** scripts/pg-test.sh starts a private PostgreSQL the exchange server's Postgres tests use. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/pg-test.sh');
const hasPostgres = existsSync('/usr/lib/postgresql');
// A cluster of its own (dir and port), so the shared one the suite may use is untouched.
const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-pgtest-'));
const env = { ...process.env, KYSO_PG_DIR: dir, KYSO_PG_PORT: String(56000 + (process.pid % 1000)) };

afterAll(() => {
  spawnSync('bash', [script, 'stop'], { env });
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasPostgres && process.env.CI !== 'true')('pg-test.sh', () => {
  it('starts PostgreSQL idempotently and prints a URL the kyso role can use', async () => {
    const first = spawnSync('bash', [script, 'start'], { env, encoding: 'utf8' });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const again = spawnSync('bash', [script, 'start'], { env, encoding: 'utf8' });
    expect(again.stdout).toBe(first.stdout);
    const url = /^export KYSO_TEST_PG_URL=(\S+)$/m.exec(first.stdout)?.[1];
    expect(url).toBeDefined();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ user: string; db: string }>('select current_user as user, current_database() as db');
      expect(rows[0]).toEqual({ user: 'kyso', db: 'kyso_test' });
      await client.query('create table t (x int)');
      await client.query('drop table t');
    } finally {
      await client.end();
    }
  });
});
