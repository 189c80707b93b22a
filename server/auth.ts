/** Passwordless login: single-use challenge, signed with the user's token key, short session. */
import { createHash, randomBytes, randomUUID, verify as cryptoVerify, constants } from 'node:crypto';
import { isKysoError, KysoError } from '../main/api/errors.js';
import { DEFAULT_LIMITS, loginSignedData, type ChallengeResponse, type LoginResponse, loginRequestSchema } from '../main/exchange/protocol.js';
import type { CertChecker } from './certs.js';
import type { Repo, SessionRow } from './db/repo.js';

/** An authenticated caller. */
export interface Session {
  userId: number;
  orgCode: string;
}

const MAX_PENDING = 10_000;
/** How long an event-stream ticket may wait to be used. */
const TICKET_MS = 30_000;
/** Unused tickets one session may hold (a page reconnecting needs one at a time). */
const MAX_TICKETS_PER_SESSION = 5;
/** Pending challenges one address may hold: one caller cannot lock everyone else out. */
const MAX_PENDING_PER_CLIENT = 50;

/** SHA-256 (hex) of a token or certificate. */
export function sha256hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Challenges (memory: they live a minute) and sessions (database: they survive a restart). */
export class Auth {
  private readonly pending = new Map<string, { nonce: string; expires: number; client: string }>();
  /** Event-stream tickets by hash: the session token they stand for, until `expires`. */
  private readonly tickets = new Map<string, { token: string; expires: number }>();

  constructor(
    private readonly repo: Repo,
    private readonly certs: CertChecker,
    private readonly ttl: { challengeMs: number; sessionMs: number } = { challengeMs: DEFAULT_LIMITS.challengeTtlMs, sessionMs: DEFAULT_LIMITS.sessionTtlMs },
    /** Told when every session of a user ended (its event streams must end too). */
    private readonly sessionsEnded: (userId: number) => void = () => undefined,
  ) {}

  /**
   * Issues a fresh challenge to `client` (its network address). Too many pending ones from
   * that address is 429, too many overall 503: both tell a client to try again later.
   */
  challenge(now = Date.now(), client = ''): ChallengeResponse {
    let mine = 0;
    for (const [id, c] of this.pending) {
      if (c.expires <= now) this.pending.delete(id);
      else if (c.client === client) mine++;
    }
    if (mine >= MAX_PENDING_PER_CLIENT) throw new KysoError('exTooManyRequests');
    if (this.pending.size >= MAX_PENDING) throw new KysoError('exBusy');
    const challengeId = randomUUID();
    const nonce = randomBytes(32).toString('base64url');
    const expires = now + this.ttl.challengeMs;
    this.pending.set(challengeId, { nonce, expires, client });
    return { challengeId, nonce, expiresAt: new Date(expires).toISOString() };
  }

  /** Verifies a signed challenge and opens a session; the challenge is consumed first, whatever happens. */
  async login(body: unknown, now = Date.now()): Promise<LoginResponse & { userId: number }> {
    const parsed = loginRequestSchema.safeParse(body);
    if (!parsed.success) throw new KysoError('exBadRequest', { reason: parsed.error.issues[0]?.message ?? 'invalid login' });
    const req = parsed.data;
    const c = this.pending.get(req.challengeId);
    this.pending.delete(req.challengeId);
    if (!c || c.expires <= now) throw new KysoError('exChallengeInvalid');
    const der = Buffer.from(req.certificate, 'base64');
    const leaf = this.certs.view(der);
    const data = loginSignedData(req.challengeId, c.nonce);
    const sig = Buffer.from(req.signature, 'base64');
    const key =
      req.algorithm === 'RSA-PSS-SHA256'
        ? { key: leaf.x.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : leaf.x.publicKey;
    let ok: boolean;
    try {
      ok = cryptoVerify('sha256', data, key, sig);
    } catch {
      ok = false;
    }
    if (!ok) throw new KysoError('exLoginSignatureInvalid');
    const user = await this.repo.userByCert(sha256hex(der));
    if (!user || user.disabled) throw new KysoError('exUnknownUser');
    await this.certs.check(der, req.chain.map((b) => Buffer.from(b, 'base64')), new Date(now));
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + this.ttl.sessionMs;
    await this.repo.addSession(sha256hex(token), user.id, user.orgCode, expiresAt, req.chain);
    const org = (await this.repo.org(user.orgCode))!;
    return { token, expiresAt: new Date(expiresAt).toISOString(), organization: { code: org.code, name: org.name }, user: { id: user.id, subject: user.subject }, userId: user.id };
  }

  /**
   * The session of a bearer token, or exAuthRequired. Its user must still exist and be
   * enabled, and its certificate still good (checked again on use, cached: see CertChecker).
   */
  async session(token: string | undefined, now = Date.now()): Promise<Session> {
    if (!token) throw new KysoError('exAuthRequired');
    const s = await this.repo.session(sha256hex(token), now);
    if (!s) throw new KysoError('exAuthRequired');
    await this.recheck(s, now);
    return { userId: s.userId, orgCode: s.orgCode };
  }

  /**
   * Checks a session's certificate again; when it is no longer good (revoked, expired, its CA
   * no longer trusted) every session of its user ends and the reason is thrown (401). An
   * unknown revocation status does not end a session that was good at login: an unreachable
   * responder must not log every user out.
   */
  private async recheck(s: SessionRow, now: number): Promise<void> {
    try {
      await this.certs.check(Buffer.from(s.certDer ?? '', 'base64'), s.chain.map((c) => Buffer.from(c, 'base64')), new Date(now));
    } catch (e) {
      if (isKysoError(e) && e.code === 'exCertRevocationUnknown') return;
      await this.endSessionsOf(s.userId, isKysoError(e) ? e.code : 'internal');
      throw e;
    }
  }

  /** Ends every session of a user (certificate no longer good), with an audit entry. */
  private async endSessionsOf(userId: number, reason: string): Promise<void> {
    const n = await this.repo.deleteSessionsOf(userId);
    this.sessionsEnded(userId);
    if (n) await this.repo.audit({ actorOrg: null, actorUser: userId, action: 'session.end', target: null, detail: { reason, sessions: n } });
  }

  /**
   * Re-checks the certificate of every user holding a live session (the trust anchors or CRLs
   * changed): those no longer good lose their sessions now, not when the sessions expire.
   * Returns the ids of the users whose sessions ended.
   */
  async recheckAll(now = Date.now()): Promise<number[]> {
    const ended: number[] = [];
    for (const s of await this.repo.sessionUsers(now)) {
      if (s.certDer === null || s.disabled) {
        await this.endSessionsOf(s.userId, 'userRemoved');
        ended.push(s.userId);
        continue;
      }
      await this.recheck(s, now).catch(() => ended.push(s.userId));
    }
    return ended;
  }

  /**
   * A single-use ticket that opens one event stream for the session of `token` (already
   * checked by the caller), valid TICKET_MS: what an EventSource puts in its URL instead of
   * the session token.
   */
  issueTicket(token: string, now = Date.now()): { ticket: string; expiresAt: string } {
    let mine = 0;
    for (const [id, t] of this.tickets) {
      if (t.expires <= now) this.tickets.delete(id);
      else if (t.token === token) mine++;
    }
    if (mine >= MAX_TICKETS_PER_SESSION) throw new KysoError('exTooManyRequests');
    if (this.tickets.size >= MAX_PENDING) throw new KysoError('exBusy');
    const ticket = randomBytes(32).toString('base64url');
    const expires = now + TICKET_MS;
    this.tickets.set(sha256hex(ticket), { token, expires });
    return { ticket, expiresAt: new Date(expires).toISOString() };
  }

  /** Consumes a ticket (whatever happens next); the session token it stands for, or exAuthRequired. */
  redeemTicket(ticket: string, now = Date.now()): string {
    const key = sha256hex(ticket);
    const t = this.tickets.get(key);
    this.tickets.delete(key);
    if (!t || t.expires <= now) throw new KysoError('exAuthRequired');
    return t.token;
  }

  /** Ends a session. */
  async logout(token: string): Promise<void> {
    await this.repo.deleteSession(sha256hex(token));
  }
}
