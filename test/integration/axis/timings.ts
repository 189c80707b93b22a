/** Gateway timings for tests (the defaults are seconds to minutes). */
export const FAST = { pollMs: 100, baseBackoffMs: 30, maxBackoffMs: 400, leaseMs: 3000, log: () => undefined } as const;
