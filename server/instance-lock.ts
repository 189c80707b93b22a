/**
 * SQLite serves one instance: two `kyso server` processes on one SQLite data directory would
 * each keep live events, challenges' caps and the sweeper's view to themselves (and the file
 * lock makes writers wait on each other). The serving process holds DATA/server.pid, created
 * exclusively; a second one is refused with the holder's process id, unless that process is
 * gone (a crash leaves the file: it is taken over). The offline admin commands
 * (`kyso server org|user|audit`) do not take it: they are short and SQLite serializes them.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KysoError } from '../main/api/errors.js';

const FILE = 'server.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data directory for this process; returns the release function. */
export function lockSqliteData(dataDir: string): () => void {
  const file = path.join(dataDir, FILE);
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, mine, { flag: 'wx' });
      return () => {
        try {
          if (readFileSync(file, 'utf8') === mine) unlinkSync(file);
        } catch {
          // Already gone.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: { pid?: unknown; host?: unknown } = {};
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
    } catch {
      // Unreadable (half-written by a crash): stale.
    }
    const pid = typeof holder.pid === 'number' ? holder.pid : 0;
    // Another host's process cannot be checked from here: a shared directory is refused.
    if (pid && (holder.host !== os.hostname() || alive(pid))) throw new KysoError('serverDataInUse', { pid, path: dataDir });
    try {
      unlinkSync(file);
    } catch {
      // Another starter removed it first; the next attempt decides.
    }
  }
  throw new KysoError('serverDataInUse', { pid: 0, path: dataDir });
}
