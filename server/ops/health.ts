/**
 * Liveness and readiness for a load balancer or orchestrator. `/healthz`: the process answers
 * (restart it when it does not). `/readyz`: send it traffic; the database answers, the blob
 * store answers, this instance hears the others (PostgreSQL listener), and it is not shutting
 * down. Each dependency is asked at most once a second however often the probe comes.
 */

/** One dependency check: resolves when healthy, throws (with a reason) when not. */
export interface ReadyCheck {
  name: string;
  check(): Promise<void>;
}

/** The answer of /readyz. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

const CHECK_TIMEOUT_MS = 2_000;
const CACHE_MS = 1_000;

async function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the checks (cached briefly); `draining` makes the instance not ready whatever they say. */
export function readinessProbe(checks: ReadyCheck[], draining: () => boolean): () => Promise<Readiness> {
  let last: { at: number; result: Promise<Record<string, string>> } | undefined;
  const run = async () => {
    const out: Record<string, string> = {};
    await Promise.all(checks.map(async (c) => {
      try {
        await withTimeout(c.check(), CHECK_TIMEOUT_MS);
        out[c.name] = 'ok';
      } catch (e) {
        // The reason for the operator, short and without secrets (driver messages name no passwords).
        out[c.name] = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 200) || 'failed';
      }
    }));
    return out;
  };
  return async () => {
    const now = Date.now();
    if (!last || now - last.at >= CACHE_MS) last = { at: now, result: run() };
    const checksNow = { ...(await last.result) };
    if (draining()) checksNow.lifecycle = 'draining';
    return { ready: Object.values(checksNow).every((v) => v === 'ok'), checks: checksNow };
  };
}
