/**
 * Short-lived login state every server instance must see: pending challenges and event-stream
 * tickets (migration 004), and the bulk session check of open event streams. A challenge
 * issued by one instance is answered at another; a ticket taken at one opens a stream at
 * another; the per-address challenge cap counts the caller's challenges on all of them.
 */
import type { Db, Row } from './sql.js';

/** How often expired rows are swept (per instance; any instance's sweep serves all). */
const SWEEP_EVERY_MS = 10_000;
/** SQLite allows a bounded number of parameters per statement: session lists go in slices. */
const IN_SLICE = 500;

/** A live session as the event streams re-check it. */
export interface StreamSessionRow {
  tokenSha256: string;
  userId: number;
  certDer: string | null;
  disabled: boolean;
  chain: string[];
}

const num = (v: unknown) => Number(v);

/** Advisory-lock classes (PostgreSQL) of the per-address challenge and per-session ticket counts. */
const LOCK_CHALLENGES = 0x6b7963;
const LOCK_TICKETS = 0x6b7974;

/** Serializes transactions about one key (PostgreSQL; SQLite transactions are serialized already). */
async function lockKey(t: Db, lockClass: number, key: string): Promise<void> {
  if (t.kind === 'postgres') await t.get('SELECT pg_advisory_xact_lock($1, hashtext($2)) AS x', [lockClass, key]);
}

/** Challenges, tickets and bulk session lookups over the shared database. */
export class AuthState {
  private lastSweep = 0;

  constructor(private readonly db: Db) {}

  /** Deletes expired challenges and tickets, at most every SWEEP_EVERY_MS. */
  private async sweep(now: number): Promise<void> {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    await this.db.run('DELETE FROM login_challenges WHERE expires_at <= $1', [now]);
    await this.db.run('DELETE FROM event_tickets WHERE expires_at <= $1', [now]);
  }

  /**
   * Records a challenge for a caller address unless that address already holds `perClient`
   * pending ones ('mine') or all callers `total` ('all'). Count and insert run in one
   * transaction under the address's lock, so concurrent requests on any instance cannot
   * both take the last place (the overall count is not locked: it may overshoot by the few
   * in flight).
   */
  async addChallenge(c: { id: string; nonce: string; client: string; expiresAt: number }, now: number, caps: { perClient: number; total: number }): Promise<'ok' | 'mine' | 'all'> {
    await this.sweep(now);
    return this.db.tx(async (t) => {
      await lockKey(t, LOCK_CHALLENGES, c.client);
      const r = await t.get('SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN client = $1 THEN 1 ELSE 0 END), 0) AS mine FROM login_challenges WHERE expires_at > $2', [c.client, now]);
      if (num(r?.mine ?? 0) >= caps.perClient) return 'mine';
      if (num(r?.total ?? 0) >= caps.total) return 'all';
      await t.run('INSERT INTO login_challenges (id, nonce, client, expires_at) VALUES ($1, $2, $3, $4)', [c.id, c.nonce, c.client, c.expiresAt]);
      return 'ok';
    });
  }

  /** Consumes a challenge (it is gone whatever happens next); its nonce and expiry, or undefined. */
  async takeChallenge(id: string): Promise<{ nonce: string; expiresAt: number } | undefined> {
    const r = await this.db.tx((t) => t.get('DELETE FROM login_challenges WHERE id = $1 RETURNING nonce, expires_at', [id]));
    return r ? { nonce: String(r.nonce), expiresAt: num(r.expires_at) } : undefined;
  }

  /** Records a ticket (by its hash) for a session (by its token hash), with the same caps and locking as challenges. */
  async addTicket(ticketSha256: string, tokenSha256: string, expiresAt: number, now: number, caps: { perClient: number; total: number }): Promise<'ok' | 'mine' | 'all'> {
    await this.sweep(now);
    return this.db.tx(async (t) => {
      await lockKey(t, LOCK_TICKETS, tokenSha256);
      const r = await t.get('SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN token_sha256 = $1 THEN 1 ELSE 0 END), 0) AS mine FROM event_tickets WHERE expires_at > $2', [tokenSha256, now]);
      if (num(r?.mine ?? 0) >= caps.perClient) return 'mine';
      if (num(r?.total ?? 0) >= caps.total) return 'all';
      await t.run('INSERT INTO event_tickets (ticket_sha256, token_sha256, expires_at) VALUES ($1, $2, $3)', [ticketSha256, tokenSha256, expiresAt]);
      return 'ok';
    });
  }

  /** Consumes a ticket; the session token hash it stands for and its expiry, or undefined. */
  async takeTicket(ticketSha256: string): Promise<{ tokenSha256: string; expiresAt: number } | undefined> {
    const r = await this.db.tx((t) => t.get('DELETE FROM event_tickets WHERE ticket_sha256 = $1 RETURNING token_sha256, expires_at', [ticketSha256]));
    return r ? { tokenSha256: String(r.token_sha256), expiresAt: num(r.expires_at) } : undefined;
  }

  /** Drops the unused tickets of a session (logout). */
  async dropTickets(tokenSha256: string): Promise<void> {
    await this.db.run('DELETE FROM event_tickets WHERE token_sha256 = $1', [tokenSha256]);
  }

  /**
   * Of these sessions (token hashes), the unexpired ones, with their user's certificate (null
   * when the user was removed): one query per slice for every open stream of an instance.
   */
  async liveSessions(tokenSha256s: string[], now: number): Promise<StreamSessionRow[]> {
    const out: StreamSessionRow[] = [];
    for (let i = 0; i < tokenSha256s.length; i += IN_SLICE) {
      const slice = tokenSha256s.slice(i, i + IN_SLICE);
      const marks = slice.map((_h, k) => `$${k + 2}`).join(', ');
      const rows = await this.db.all<Row>(
        `SELECT s.token_sha256, s.user_id, s.chain, u.cert_der AS u_cert_der, u.disabled AS u_disabled FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.expires_at > $1 AND s.token_sha256 IN (${marks})`,
        [now, ...slice],
      );
      for (const r of rows) {
        let chain: string[] = [];
        try {
          const c = JSON.parse(String(r.chain ?? '[]')) as unknown;
          if (Array.isArray(c)) chain = c.filter((x): x is string => typeof x === 'string');
        } catch {}
        out.push({
          tokenSha256: String(r.token_sha256), userId: num(r.user_id), chain,
          certDer: r.u_cert_der === null || r.u_cert_der === undefined ? null : String(r.u_cert_der), disabled: num(r.u_disabled) === 1,
        });
      }
    }
    return out;
  }
}
