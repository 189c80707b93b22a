/**
 * The orphan sweeper: removes blobs no message or status references once they are older than
 * a grace period (an upload still being registered is never touched), unfinished writes older
 * than the grace period, and what a dead sweeper left in quarantine.
 *
 * Safe with several server instances, and with uploads racing it, without a lock:
 *  - a candidate is moved aside (quarantined) only if not written since it was listed, then
 *    the references are read again; one that gained a reference meanwhile is put back;
 *  - the uploader checks, after committing its row, that the blob is still there and stores
 *    it again if not (server/inbox.ts).
 * Whichever of "row committed" and "second read" happens first, one side restores the blob.
 */
import type { BlobStore, Quarantined } from './store.js';

/** Which of these blob ids are referenced by a message or a status. */
export type RefCheck = (sha256s: string[]) => Promise<Set<string>>;

/** How a sweep runs. */
export interface SweepOptions {
  /** Blobs and unfinished writes younger than this are left alone. */
  graceMs: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  /** Ids checked per database query (default 200). */
  batch?: number;
  /** Quarantine entries older than this were left by a dead sweeper (default 10 min). */
  staleQuarantineMs?: number;
  /** The clock (tests). */
  now?: () => Date;
}

/** What a sweep did. */
export interface SweepReport {
  /** Blobs listed. */
  scanned: number;
  /** Unreferenced blobs older than the grace period (removed unless dry run). */
  orphans: number;
  removed: number;
  /** Candidates that gained a reference while being swept, put back. */
  restored: number;
  /** Unfinished writes removed. */
  partial: number;
  /** Quarantine entries of a dead sweeper: put back or dropped. */
  recovered: number;
  /** Orphans' bytes. */
  bytes: number;
  /** Candidates whose removal failed (left for the next sweep; the first error is in `error`). */
  failed: number;
  error?: string;
}

/** Runs one sweep over a store. */
export async function sweepOrphans(store: BlobStore, referenced: RefCheck, opts: SweepOptions): Promise<SweepReport> {
  const now = (opts.now ?? (() => new Date()))();
  const cutoff = new Date(now.getTime() - opts.graceMs);
  const batchSize = opts.batch ?? 200;
  const report: SweepReport = { scanned: 0, orphans: 0, removed: 0, restored: 0, partial: 0, recovered: 0, bytes: 0, failed: 0 };

  if (!opts.dryRun) {
    const staleBefore = now.getTime() - (opts.staleQuarantineMs ?? 10 * 60_000);
    const stale: Quarantined[] = [];
    for await (const q of store.listQuarantined()) if (q.since.getTime() < staleBefore) stale.push(q);
    for (let i = 0; i < stale.length; i += batchSize) {
      const part = stale.slice(i, i + batchSize);
      const refs = await referenced(part.map((q) => q.sha256));
      for (const q of part) await (refs.has(q.sha256) ? store.restore(q) : store.discard(q));
      report.recovered += part.length;
    }
    report.partial = await store.sweepPartial(cutoff);
  }

  let batch: { sha256: string; size: number }[] = [];
  const flush = async () => {
    const refs = await referenced(batch.map((b) => b.sha256));
    const orphans = batch.filter((b) => !refs.has(b.sha256));
    batch = [];
    report.orphans += orphans.length;
    report.bytes += orphans.reduce((n, b) => n + b.size, 0);
    if (opts.dryRun || !orphans.length) return;
    const moved: Quarantined[] = [];
    for (const o of orphans) {
      // One blob the store cannot move (a transient error) does not stop the sweep.
      const q = await store.quarantine(o.sha256, cutoff).catch((e: unknown) => {
        report.failed++;
        report.error ??= e instanceof Error ? e.message.slice(0, 300) : String(e);
        return undefined;
      });
      if (q) moved.push(q);
    }
    if (!moved.length) return;
    const again = await referenced(moved.map((q) => q.sha256));
    for (const q of moved) {
      if (again.has(q.sha256)) {
        await store.restore(q);
        report.restored++;
      } else {
        await store.discard(q);
        report.removed++;
      }
    }
  };
  for await (const b of store.list()) {
    report.scanned++;
    if (b.modified >= cutoff) continue;
    batch.push({ sha256: b.sha256, size: b.size });
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length) await flush();
  return report;
}

/** When sweeps run inside a server. */
export interface SweepSchedule {
  /** Between two sweeps (each instance sweeps; a random first delay spreads instances out). */
  intervalMs: number;
  graceMs: number;
}

/** Defaults: every hour, blobs older than a day. */
export const DEFAULT_SWEEP: SweepSchedule = { intervalMs: 3_600_000, graceMs: 86_400_000 };

/** Runs sweeps periodically until stopped; `stop` waits for a sweep that is running. */
export function scheduleSweeps(store: BlobStore, referenced: RefCheck, schedule: SweepSchedule, log: (line: Record<string, unknown>) => void): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const next = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweepOrphans(store, referenced, { graceMs: schedule.graceMs })
        .then((r) => {
          if (r.removed || r.restored || r.partial || r.recovered || r.failed) log({ msg: 'blob sweep', store: store.location, ...r });
        })
        .catch((e: unknown) => log({ msg: 'blob sweep failed', store: store.location, error: e instanceof Error ? e.message : String(e) }))
        .finally(() => {
          running = undefined;
          next(schedule.intervalMs);
        });
    }, ms);
    timer.unref();
  };
  next(Math.round(schedule.intervalMs * (0.1 + 0.9 * Math.random())));
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
