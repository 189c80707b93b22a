/** Passwordless login: single-use challenge, signed with the user's token key, short session. */
import { createHash, randomBytes, randomUUID, verify as cryptoVerify, constants } from 'node:crypto';
import { isKysoError, KysoError } from '../main/api/errors.js';
import { DEFAULT_LIMITS, loginSignedData, type ChallengeResponse, type LoginResponse, loginRequestSchema } from '../main/exchange/protocol.js';
import type { CertChecker } from './certs.js';
import { AuthState } from './db/auth-state.js';
import type { Repo, SessionRow } from './db/repo.js';

/** An authenticated caller. */
export interface Session {
  userId: number;
  orgCode: string;
  /** SHA-256 of the bearer token: how streams and tickets name the session (the token itself is never kept). */
  tokenSha256: string;
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

/**
 * Login and sessions, with everything in the database the instances share: challenges and
 * event-stream tickets (a minute), sessions (until they expire). Any instance answers a
 * challenge another issued, and the per-address and overall caps count on all of them
 * (checked, then written: concurrent callers may overshoot a cap by the few in flight).
 */
export class Auth {
  private readonly state: AuthState;

  constructor(
    private readonly repo: Repo,
    private readonly certs: CertChecker,
    private readonly ttl: { challengeMs: number; sessionMs: number } = { challengeMs: DEFAULT_LIMITS.challengeTtlMs, sessionMs: DEFAULT_LIMITS.sessionTtlMs },
    /** Told when every session of a user ended (its event streams must end too, on every instance). */
    private readonly sessionsEnded: (userId: number, certSha256: string | null) => void = () => undefined,
  ) {
    this.state = new AuthState(repo.db);
  }

  /**
   * Issues a fresh challenge to `client` (its network address). Too many pending ones from
   * that address is 429, too many overall 503: both tell a client to try again later.
   */
  async challenge(now = Date.now(), client = ''): Promise<ChallengeResponse> {
    const challengeId = randomUUID();
    const nonce = randomBytes(32).toString('base64url');
    const expires = now + this.ttl.challengeMs;
    const added = await this.state.addChallenge({ id: challengeId, nonce, client, expiresAt: expires }, now, { perClient: MAX_PENDING_PER_CLIENT, total: MAX_PENDING });
    if (added === 'mine') throw new KysoError('exTooManyRequests');
    if (added === 'all') throw new KysoError('exBusy');
    return { challengeId, nonce, expiresAt: new Date(expires).toISOString() };
  }

  /** Verifies a signed challenge and opens a session; the challenge is consumed first, whatever happens. */
  async login(body: unknown, now = Date.now()): Promise<LoginResponse & { userId: number }> {
    const parsed = loginRequestSchema.safeParse(body);
    if (!parsed.success) throw new KysoError('exBadRequest', { reason: parsed.error.issues[0]?.message ?? 'invalid login' });
    const req = parsed.data;
    const c = await this.state.takeChallenge(req.challengeId);
    if (!c || c.expiresAt <= now) throw new KysoError('exChallengeInvalid');
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
    const fetched = await this.certs.check(der, req.chain.map((b) => Buffer.from(b, 'base64')), new Date(now));
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + this.ttl.sessionMs;
    // The session keeps the issuers fetched at login too, so its re-checks need no AIA fetch.
    const chain = [...new Set([...req.chain, ...fetched.map((c) => c.toString('base64'))])];
    await this.repo.addSession(sha256hex(token), user.id, user.orgCode, expiresAt, chain);
    const org = (await this.repo.org(user.orgCode))!;
    return { token, expiresAt: new Date(expiresAt).toISOString(), organization: { code: org.code, name: org.name }, user: { id: user.id, subject: user.subject }, userId: user.id };
  }

  /**
   * The session of a bearer token, or exAuthRequired. Its user must still exist and be
   * enabled, and its certificate still good (checked again on use, cached: see CertChecker).
   */
  async session(token: string | undefined, now = Date.now()): Promise<Session> {
    if (!token) throw new KysoError('exAuthRequired');
    return this.sessionByHash(sha256hex(token), now);
  }

  /** The session of a token hash (an event-stream ticket stands for one), or exAuthRequired. */
  async sessionByHash(tokenSha256: string, now = Date.now()): Promise<Session> {
    const s = await this.repo.session(tokenSha256, now);
    if (!s) throw new KysoError('exAuthRequired');
    await this.recheck(s, now);
    return { userId: s.userId, orgCode: s.orgCode, tokenSha256 };
  }

  /**
   * Of these sessions (token hashes), the ones still good: unexpired, user present and
   * enabled, certificate still good (cached check). The event streams of one instance are
   * re-checked together with this, one query per 500 sessions.
   */
  async liveSessions(tokenSha256s: string[], now = Date.now()): Promise<Set<string>> {
    const good = new Set<string>();
    for (const s of await this.state.liveSessions(tokenSha256s, now)) {
      if (s.certDer === null || s.disabled) continue;
      try {
        await this.recheck({ userId: s.userId, orgCode: '', expiresAt: 0, certDer: s.certDer, disabled: false, chain: s.chain }, now);
        good.add(s.tokenSha256);
      } catch {
        // Its sessions ended (recheck did it); the stream ends with them.
      }
    }
    return good;
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
      await this.endSessionsOf(s.userId, isKysoError(e) ? e.code : 'internal', s.certDer ? sha256hex(Buffer.from(s.certDer, 'base64')) : null);
      throw e;
    }
  }

  /** Ends every session of a user (certificate no longer good), with an audit entry. */
  private async endSessionsOf(userId: number, reason: string, certSha256: string | null): Promise<void> {
    const n = await this.repo.deleteSessionsOf(userId);
    this.sessionsEnded(userId, certSha256);
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
        await this.endSessionsOf(s.userId, 'userRemoved', null);
        ended.push(s.userId);
        continue;
      }
      await this.recheck(s, now).catch(() => ended.push(s.userId));
    }
    return ended;
  }

  /**
   * A single-use ticket that opens one event stream for a session (already checked by the
   * caller), valid TICKET_MS: what an EventSource puts in its URL instead of the session
   * token. Stored by its hash; redeemable at any instance.
   */
  async issueTicket(tokenSha256: string, now = Date.now()): Promise<{ ticket: string; expiresAt: string }> {
    const ticket = randomBytes(32).toString('base64url');
    const expires = now + TICKET_MS;
    const added = await this.state.addTicket(sha256hex(ticket), tokenSha256, expires, now, { perClient: MAX_TICKETS_PER_SESSION, total: MAX_PENDING });
    if (added === 'mine') throw new KysoError('exTooManyRequests');
    if (added === 'all') throw new KysoError('exBusy');
    return { ticket, expiresAt: new Date(expires).toISOString() };
  }

  /** Consumes a ticket (whatever happens next); the token hash of the session it stands for, or exAuthRequired. */
  async redeemTicket(ticket: string, now = Date.now()): Promise<string> {
    const t = await this.state.takeTicket(sha256hex(ticket));
    if (!t || t.expiresAt <= now) throw new KysoError('exAuthRequired');
    return t.tokenSha256;
  }

  /** Ends a session and its unused tickets; returns its token hash. */
  async logout(token: string): Promise<string> {
    const h = sha256hex(token);
    await this.repo.deleteSession(h);
    await this.state.dropTickets(h);
    return h;
  }
}
