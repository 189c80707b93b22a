/**
 * Structured logs: one JSON object per line (time, level, msg, fields), on stderr unless the
 * caller gives another sink. Only what we put in fields is written: paths without their query
 * string, addresses, ids, codes; never a token, ticket, nonce, key or certificate.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Where log lines go (each ends with a newline). */
export type LogSink = (line: string) => void;

/** Severity of a line. */
export type Level = 'info' | 'warn' | 'error';

/** Writes structured lines. */
export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger writing JSON lines to `sink` (default stderr). */
export function createLogger(sink: LogSink = (line) => void process.stderr.write(line)): Logger {
  const log = (level: Level, msg: string, fields: Record<string, unknown> = {}) => {
    let line: string;
    try {
      line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), level, msg, fields: 'unserializable' });
    }
    sink(line + '\n');
  };
  return { log, info: (m, f) => log('info', m, f), warn: (m, f) => log('warn', m, f), error: (m, f) => log('error', m, f) };
}

/** What a request id may look like when a proxy sends one (anything else is replaced). */
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/**
 * The request id: the trusted proxy's X-Request-Id when it sent a sane one (so the proxy's log
 * and ours line up), else a fresh UUID. From anyone else the header is ignored: a caller must
 * not be able to pick ids that collide with others' in our log.
 */
export function requestIdOf(req: IncomingMessage, fromTrustedProxy: boolean): string {
  const h = req.headers['x-request-id'];
  const v = Array.isArray(h) ? h[0] : h;
  return fromTrustedProxy && v && REQUEST_ID.test(v) ? v : randomUUID();
}

/** A path for the log: no query string (it may carry a ticket), bounded, printable. */
export function logPath(url: string | undefined): string {
  return (url ?? '/').split('?')[0]!.replace(/[^\x21-\x7e]/g, '?').slice(0, 200);
}
