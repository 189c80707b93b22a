/**
 * Keeps one web page from flooding the user: per origin, a rate limit on requests of any
 * kind, and one signing request handled at a time with a short queue behind it; anything
 * beyond is refused at once with a clear message instead of raising another dialog.
 */
import { KysoError } from '../api/errors.js';

/** Limits per origin. */
export interface AdmissionLimits {
  /** Signing requests that may wait behind the one being handled. */
  queue: number;
  /** Requests of any kind per rolling minute. */
  perMinute: number;
}

interface OriginState {
  /** Request times within the last minute. */
  recent: number[];
  /** Signing requests admitted and not finished (the first is being handled). */
  active: number;
  /** Waiters for the signing slot, first come first served. */
  waiting: Array<() => void>;
}

/** Admission control for all origins. */
export class Admission {
  private readonly origins = new Map<string, OriginState>();

  constructor(private readonly limits: AdmissionLimits, private readonly now: () => number = Date.now) {}

  private state(origin: string): OriginState {
    let s = this.origins.get(origin);
    if (!s) this.origins.set(origin, (s = { recent: [], active: 0, waiting: [] }));
    return s;
  }

  /** Counts one request; throws serviceRateLimited past the per-minute limit. */
  hit(origin: string): void {
    const s = this.state(origin);
    const t = this.now();
    s.recent = s.recent.filter((x) => t - x < 60_000);
    if (s.recent.length >= this.limits.perMinute) throw new KysoError('serviceRateLimited', { origin });
    s.recent.push(t);
  }

  /**
   * Takes a place in the origin's signing line: resolves with `release` when it is this
   * request's turn; throws serviceTooMany when the line is full. An abort while waiting
   * leaves the line.
   */
  async enter(origin: string, signal?: AbortSignal): Promise<() => void> {
    const s = this.state(origin);
    if (s.active > this.limits.queue) throw new KysoError('serviceTooMany', { origin, count: s.active });
    s.active++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      s.active--;
      s.waiting.shift()?.();
      if (!s.active && !s.recent.length) this.origins.delete(origin);
    };
    if (s.active > 1) {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = s.waiting.indexOf(go);
          if (i >= 0) s.waiting.splice(i, 1);
          s.active--;
          released = true;
          reject(new KysoError('cancelled'));
        };
        s.waiting.push(go);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    return release;
  }

  /** Signing requests of an origin admitted and not finished. */
  pending(origin: string): number {
    return this.origins.get(origin)?.active ?? 0;
  }
}

/** A first-come-first-served lock (one consent dialog, one token session at a time). */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Waits for every earlier holder; resolves with the function that releases the lock. */
  async acquire(): Promise<() => void> {
    const prev = this.tail;
    let done!: () => void;
    this.tail = new Promise<void>((r) => (done = r));
    await prev;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        done();
      }
    };
  }

  /** Runs `fn` when every earlier holder is done. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
