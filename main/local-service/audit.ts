/**
 * The signing service's audit log: one JSON line per signature made for a web page (and per
 * refused or failed request), appended and flushed, readable with any text tool. It names the
 * site, the operation, the document (address, SHA-256 before and after), the certificate and
 * where the result went; never a PIN, a cookie or a token the page sent.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** One line of the log. */
export interface AuditEntry {
  origin: string;
  operation: string;
  /** How consent was given: 'app', 'tty' or 'unattended'. */
  mode: string;
  outcome: 'signed' | 'uploaded' | 'refused' | 'failed';
  document?: { name: string; url: string; size: number; sha256: string };
  signed?: { size: number; sha256?: string; level?: string };
  certificate?: { serial: string; subject: string };
  upload?: { url: string; answerBytes?: number };
  error?: string;
}

/** Appends entries to a file (created 0600 with its folder). */
export class AuditLog {
  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  }

  /** Writes one entry with the time; a write failure is reported to the caller. */
  write(entry: AuditEntry): void {
    appendFileSync(this.file, JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n', { mode: 0o600, flush: true });
  }
}
