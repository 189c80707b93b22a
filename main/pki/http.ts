/** One small HTTP helper for the PKI fetch clients: timeouts, size cap, optional basic auth. */

/** Options of one PKI HTTP exchange. */
export interface PkiHttpOptions {
  /** Milliseconds before giving up (default 15 s). */
  timeoutMs?: number;
  /** Basic auth credentials for services that require them (some commercial TSAs). */
  auth?: { username: string; password: string };
  /** Caller's cancel signal (batch cancel). */
  signal?: AbortSignal;
}

/** What went wrong, for the caller to map onto its own KysoError code. */
export class PkiHttpError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'status',
    message: string,
  ) {
    super(message);
  }
}

const MAX_BYTES = 32 << 20;

/** POSTs (or GETs when `body` is undefined) and returns the body bytes of a 2xx answer. */
export async function pkiFetch(url: string, body: Uint8Array | undefined, contentType: string | undefined, accept: string, options: PkiHttpOptions = {}): Promise<Uint8Array> {
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 15_000)];
  if (options.signal) signals.push(options.signal);
  const headers: Record<string, string> = { accept };
  if (contentType) headers['content-type'] = contentType;
  if (options.auth) headers.authorization = 'Basic ' + Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64');
  let res: Response;
  try {
    res = await fetch(url, { method: body ? 'POST' : 'GET', headers, body, signal: AbortSignal.any(signals), redirect: 'follow' });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
    throw new PkiHttpError('unreachable', (e instanceof Error ? e.message : String(e)) + cause);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new PkiHttpError('status', `HTTP ${res.status}`);
  }
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.length > MAX_BYTES) throw new PkiHttpError('status', 'answer too large');
  return buf;
}
