/**
 * One inbox sync per KYSO_HOME and server across processes (the app and `kyso inbox sync` may
 * share a home). Two syncs at once downloaded the same package into the same folder, each
 * removing the other's files: a valid document was then recorded as refused and lost.
 * The lock is a file created exclusively, holding the owner's pid; a lock whose process is
 * gone (a crash) is taken over.
 */
import { createHash } from 'node:crypto';
import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { KysoError } from '../../api/errors.js';
import { mkdirPrivate } from '../../files/private.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLock(file: string): boolean {
  try {
    const fd = openSync(file, 'wx', 0o600);
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const owner = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  // Held by this process (another client object of the same home) or a live one: wait.
  if (Number.isInteger(owner) && owner > 0 && (owner === process.pid || alive(owner))) return false;
  // Left by a process that is gone (or unreadable): take it over.
  rmSync(file, { force: true });
  return false;
}

/** Runs `fn` holding the sync lock of (home, server); waits up to `waitMs` for another holder. */
export async function withSyncLock<T>(home: string, server: string, fn: () => Promise<T>, waitMs = 120_000): Promise<T> {
  const dir = path.join(home, 'inbox');
  mkdirPrivate(dir);
  const file = path.join(dir, `.sync-${createHash('sha256').update(server).digest('hex').slice(0, 16)}.lock`);
  const deadline = Date.now() + waitMs;
  while (!tryLock(file)) {
    if (Date.now() > deadline) throw new KysoError('inboxSyncBusy', { server });
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
