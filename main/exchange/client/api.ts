/**
 * Typed calls of the inbox server protocol (main/exchange/protocol.ts), with certificate login:
 * the token signs a single-use challenge, the session is renewed transparently on 401.
 */
import { z } from 'zod';
import { KysoError } from '../../api/errors.js';
import type { Signer, SignatureScheme } from '../../pki/signer.js';
import {
  challengeResponseSchema,
  directoryResponseSchema,
  endpointPath,
  endpoints,
  eventsTicketSchema,
  inboxPageSchema,
  loginResponseSchema,
  loginSignedData,
  MESSAGE_ID_HEADER,
  sendResponseSchema,
  sentMessageSchema,
  statusPageSchema,
  statusResponseSchema,
  type InboxPage,
  type LoginResponse,
  type Organization,
  type SendResponse,
  type StatusPage,
} from '../protocol.js';
import { downloadTo, requestJson, ServerError, type RequestSpec } from './http.js';

/** Picks the login algorithm the key supports (PKCS#1 v1.5 first: every token does it). */
function loginScheme(signer: Signer): { scheme: SignatureScheme; algorithm: 'RSA-PKCS1-SHA256' | 'RSA-PSS-SHA256' | 'ECDSA-SHA256' } {
  if (signer.keyType === 'EC') return { scheme: 'ECDSA', algorithm: 'ECDSA-SHA256' };
  return signer.schemes.includes('RSA-PKCS1') ? { scheme: 'RSA-PKCS1', algorithm: 'RSA-PKCS1-SHA256' } : { scheme: 'RSA-PSS', algorithm: 'RSA-PSS-SHA256' };
}

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

/** A client of one inbox server, logged in as the holder of `signer`. */
export class InboxApi {
  private session?: LoginResponse;
  private loggingIn?: Promise<LoginResponse>;

  constructor(
    /** Server base URL, e.g. `http://127.0.0.1:8443`. */
    readonly server: string,
    private readonly signer: Signer,
  ) {}

  /** The organization the session belongs to (logs in when needed). */
  async organization(): Promise<{ code: string; name: string }> {
    return (await this.login()).organization;
  }

  /** Logs in with the certificate (reuses a live session; concurrent callers share one login). */
  async login(force = false): Promise<LoginResponse> {
    if (this.session && !force && Date.parse(this.session.expiresAt) - Date.now() > 30_000) return this.session;
    // One challenge and one token signature for all callers that arrive meanwhile (a screen
    // that loads two lists at once must not ask the token twice).
    this.loggingIn ??= this.freshLogin().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  private async freshLogin(): Promise<LoginResponse> {
    const ch = await requestJson({ method: 'POST', url: this.url(endpoints.challenge), body: { json: {} } }, challengeResponseSchema);
    const { scheme, algorithm } = loginScheme(this.signer);
    const signature = await this.signer.sign(loginSignedData(ch.challengeId, ch.nonce), 'SHA-256', scheme);
    this.session = await requestJson(
      {
        method: 'POST',
        url: this.url(endpoints.login),
        body: { json: { challengeId: ch.challengeId, certificate: b64(this.signer.certificate), chain: this.signer.chain.map(b64), algorithm, signature: b64(signature) } },
      },
      loginResponseSchema,
    );
    return this.session;
  }

  /** Uploads a package file under its idempotency key (safe to repeat after a crash). */
  sendPackage(messageId: string, packagePath: string): Promise<SendResponse> {
    return this.authed(
      (auth) => ({ method: 'POST', url: this.url(endpoints.packages), headers: { ...auth, [MESSAGE_ID_HEADER]: messageId }, body: { file: packagePath, contentType: 'application/xml' }, idleTimeoutMs: 120_000 }),
      sendResponseSchema,
    );
  }

  /** One page of the inbox after `cursor`. */
  inbox(cursor: string | null, limit = 100): Promise<InboxPage> {
    return this.authed((auth) => ({ method: 'GET', url: this.url(endpoints.inbox, cursor, limit), headers: auth }), inboxPageSchema);
  }

  /** One page of statuses addressed to us after `cursor`. */
  statuses(cursor: string | null, limit = 100): Promise<StatusPage> {
    return this.authed((auth) => ({ method: 'GET', url: this.url(endpoints.statuses, cursor, limit), headers: auth }), statusPageSchema);
  }

  /** Downloads a package we sent or received into `dest`; more than `maxBytes` (the size the server declared) is refused. */
  async downloadPackage(messageId: string, dest: string, maxBytes = Infinity): Promise<number> {
    const spec = async () => ({ method: 'GET' as const, url: this.url(endpointPath(endpoints.messagePackage, { messageId })), headers: await this.authHeader(), idleTimeoutMs: 120_000 });
    const tooLarge = () => new KysoError('exPackageTooLarge', { messageId, size: maxBytes });
    try {
      return await downloadTo(await spec(), dest, maxBytes, tooLarge);
    } catch (e) {
      if (!(e instanceof ServerError) || e.status !== 401) throw e;
      await this.login(true);
      return downloadTo(await spec(), dest, maxBytes, tooLarge);
    }
  }

  /** Posts a signed status message about `messageId`. */
  postStatus(messageId: string, statusXml: string): Promise<z.infer<typeof statusResponseSchema>> {
    return this.authed(
      (auth) => ({ method: 'POST', url: this.url(endpoints.status), headers: { ...auth, [MESSAGE_ID_HEADER]: messageId }, body: { bytes: Buffer.from(statusXml, 'utf8'), contentType: 'application/xml' } }),
      statusResponseSchema,
    );
  }

  /** Per-recipient status timeline of a message we sent. */
  sentMessage(messageId: string): Promise<z.infer<typeof sentMessageSchema>> {
    return this.authed((auth) => ({ method: 'GET', url: this.url(endpointPath(endpoints.sentMessage, { messageId })), headers: auth }), sentMessageSchema);
  }

  /** The organization directory. */
  async directory(): Promise<Organization[]> {
    return (await this.authed((auth) => ({ method: 'GET', url: this.url(endpoints.directory), headers: auth }), directoryResponseSchema)).organizations;
  }

  /**
   * URL and headers for the SSE stream: a fresh single-use ticket in the URL, as an
   * EventSource would use it (the server accepts no session token in a URL). The ticket is
   * worth one stream for 30 s, so a logged URL opens nothing.
   */
  async eventsRequest(): Promise<{ url: string; headers: Record<string, string> }> {
    const t = await this.authed((auth) => ({ method: 'POST', url: this.url(endpoints.eventsTicket), headers: auth, body: { json: {} } }), eventsTicketSchema);
    const u = new URL(this.url(endpoints.events));
    u.searchParams.set('ticket', t.ticket);
    return { url: u.toString(), headers: { accept: 'text/event-stream' } };
  }

  /** Forgets the session (next call logs in again). */
  resetSession(): void {
    this.session = undefined;
  }

  private async authHeader(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${(await this.login()).token}` };
  }

  /** Runs a request with the session; on 401 logs in again once (session expired or server restarted). */
  private async authed<S extends z.ZodType>(build: (auth: Record<string, string>) => RequestSpec, schema: S): Promise<z.infer<S>> {
    try {
      return await requestJson(build(await this.authHeader()), schema);
    } catch (e) {
      if (!(e instanceof ServerError) || e.status !== 401 || !this.session) throw e;
      await this.login(true);
      return requestJson(build(await this.authHeader()), schema);
    }
  }

  private url(path: string, cursor?: string | null, limit?: number): string {
    const u = new URL(path, this.server.endsWith('/') ? this.server : this.server + '/');
    if (cursor) u.searchParams.set('cursor', cursor);
    if (limit) u.searchParams.set('limit', String(limit));
    return u.toString();
  }
}
