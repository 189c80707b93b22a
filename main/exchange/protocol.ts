/**
 * Wire protocol between the Kyso client and the reference inbox server (server/).
 *
 * REST over HTTPS (plain http only on loopback), JSON replies shaped like the national hub's
 * (`{status: 'OK', data}` / `{status: 'FAIL', ErrorCode, ErrorDesc, params}`) so that a bridge
 * to the hub is a transport change. Packages and status messages travel as edXML bodies.
 * See main/exchange/README.md for the flow; every schema here is what the server parses.
 * The client parses every answer with the same schemas: an id, code or digest a server sends
 * is held to the rules the server itself applies (a hostile server's `../../x` is refused
 * before it is used for anything, such as a folder name).
 */
import { z } from 'zod';

/** Version prefix of every endpoint. */
export const API_PREFIX = '/api/v1';

/** Endpoint paths (relative to the server URL). `:x` marks a path parameter. */
export const endpoints = {
  /** POST {} -> ChallengeResponse. */
  challenge: `${API_PREFIX}/auth/challenge`,
  /** POST LoginRequest -> LoginResponse. */
  login: `${API_PREFIX}/auth/login`,
  /** POST (Bearer) -> {} : ends the session. */
  logout: `${API_PREFIX}/auth/logout`,
  /** GET -> DirectoryResponse: the organization directory (any logged-in user). */
  directory: `${API_PREFIX}/directory`,
  /** POST edXML package body (Bearer, header `Kyso-Message-Id`) -> SendResponse. */
  packages: `${API_PREFIX}/packages`,
  /** GET ?cursor&limit (Bearer) -> InboxPage: deliveries to the caller's organization. */
  inbox: `${API_PREFIX}/inbox`,
  /** GET (Bearer) -> the edXML package bytes; sender or a recipient only. */
  messagePackage: `${API_PREFIX}/messages/:messageId/package`,
  /** GET (Bearer) -> SentMessage: per-recipient status of a message the caller sent. */
  sentMessage: `${API_PREFIX}/messages/:messageId`,
  /** POST edXML status message body (Bearer) -> StatusResponse. */
  status: `${API_PREFIX}/status`,
  /** GET ?cursor&limit (Bearer) -> StatusPage: statuses addressed to the caller's organization. */
  statuses: `${API_PREFIX}/statuses`,
  /**
   * GET (Bearer, or `?ticket=` from eventsTicket for an EventSource, which cannot send
   * headers) -> text/event-stream of ServerEvent. A session token in a URL is refused everywhere.
   */
  events: `${API_PREFIX}/events`,
  /** POST (Bearer) -> EventsTicket: a single-use ticket, valid 30 s, that opens one event stream. */
  eventsTicket: `${API_PREFIX}/events/ticket`,
  /** GET -> {status:'OK', data:{name:'kyso-inbox', version}} (no auth): liveness. */
  health: `${API_PREFIX}/health`,
} as const;

/** Fills `:params` of an endpoint path (URL-encoded). */
export function endpointPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:(\w+)/g, (_m, k: string) => encodeURIComponent(params[k] ?? ''));
}

/** HTTP header carrying the client-chosen message id that makes a send idempotent. */
export const MESSAGE_ID_HEADER = 'kyso-message-id';

/** Organization identification code (QĐ 20/2020/QĐ-TTg): dotted groups of digits and A-Z, ≤ 35 chars. */
export const ORGAN_ID_PATTERN = /^(?=.{3,35}$)[0-9A-Z]+(?:\.[0-9A-Z]+)+$/;

/** zod: an organization code. */
export const organIdSchema = z.string().regex(ORGAN_ID_PATTERN);

/** zod: a client message id (UUID or any 8-64 char token of [A-Za-z0-9_-]). */
export const messageIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

/** zod: an edXML DocumentId (`organId,date,number/notation`), as the codec bounds it. */
export const documentIdSchema = z.string().min(1).max(300);

/** zod: a SHA-256 digest in lowercase hex. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/);

/** zod: an opaque listing cursor (a sequence number). */
export const cursorSchema = z.string().regex(/^\d{1,18}$/);

/** zod: a sequence number or a size. */
const count = z.number().int().nonnegative();

/** zod: a short text a server names (organization name, subject...), bounded as edXML bounds it. */
const text = (max: number) => z.string().max(max);

/** Status codes of edXML status messages (see vietnam-egov.md). */
export const STATUS_CODES = ['01', '02', '03', '04', '05', '06', '13', '15', '16'] as const;

/** One status code. */
export type StatusCode = (typeof STATUS_CODES)[number];

/** zod: a status code. */
export const statusCodeSchema = z.enum(STATUS_CODES);

/** Signature algorithms accepted for the login challenge. */
export const LOGIN_ALGORITHMS = ['RSA-PKCS1-SHA256', 'RSA-PSS-SHA256', 'ECDSA-SHA256'] as const;

/** Bytes the client signs to log in: domain-separated so a login signature is useless elsewhere. */
export function loginSignedData(challengeId: string, nonce: string): Uint8Array {
  return new TextEncoder().encode(`KYSO-LOGIN-V1\n${challengeId}\n${nonce}`);
}

/** POST /auth/challenge reply: a single-use nonce valid until expiresAt (ISO time). */
export const challengeResponseSchema = z.object({
  challengeId: z.string(),
  nonce: z.string(),
  expiresAt: z.string(),
});
/** Reply of POST /auth/challenge. */
export type ChallengeResponse = z.infer<typeof challengeResponseSchema>;

/** POST /auth/login body: the certificate (base64 DER), optional intermediates, the signature of loginSignedData(). */
export const loginRequestSchema = z.object({
  challengeId: z.string().min(1).max(100),
  certificate: z.string().min(1).max(20_000),
  chain: z.array(z.string().max(20_000)).max(10).default([]),
  algorithm: z.enum(LOGIN_ALGORITHMS),
  /** base64; raw RSA signature, or DER ECDSA-Sig-Value (as main/pki/signer.ts returns). */
  signature: z.string().min(1).max(4_000),
});
/** Body of POST /auth/login. */
export type LoginRequest = z.input<typeof loginRequestSchema>;

/** POST /auth/login reply: a bearer token for `Authorization: Bearer <token>`. */
export const loginResponseSchema = z.object({
  token: z.string().min(1).max(512),
  expiresAt: z.string().max(40),
  organization: z.object({ code: organIdSchema, name: text(500) }),
  user: z.object({ id: z.number(), subject: text(2000) }),
});
/** Reply of POST /auth/login. */
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/** POST /events/ticket reply: `GET /events?ticket=<ticket>` once, before expiresAt. */
export const eventsTicketSchema = z.object({ ticket: z.string(), expiresAt: z.string() });
/** Reply of POST /events/ticket. */
export type EventsTicket = z.infer<typeof eventsTicketSchema>;

/** One organization of the directory (province hierarchy via parent). */
export const organizationSchema = z.object({
  code: organIdSchema,
  name: text(500),
  parent: organIdSchema.nullable(),
  /** A body outside this server, reached through the national axis (absent: hosted here). */
  outside: z.boolean().optional(),
});
/** A directory entry. */
export type Organization = z.infer<typeof organizationSchema>;

/** GET /directory reply. */
export const directoryResponseSchema = z.object({ organizations: z.array(organizationSchema) });

/** POST /packages reply: one delivery per recipient; duplicate=true when the message id was already accepted with the same bytes. */
export const sendResponseSchema = z.object({
  messageId: messageIdSchema,
  packageSha256: sha256HexSchema,
  size: count,
  duplicate: z.boolean(),
  recipients: z.array(z.object({ organId: organIdSchema, status: statusCodeSchema })),
  /** Outside bodies the package goes to through the national axis: their 01 comes later, as a status. */
  relayed: z.array(z.object({ organId: organIdSchema })).optional(),
});
/** Reply of POST /packages. */
export type SendResponse = z.infer<typeof sendResponseSchema>;

/** Query of cursor-based listings: cursor is opaque (pass back nextCursor). */
export const pageQuerySchema = z.object({
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** One delivery in an organization's inbox. */
export const inboxItemSchema = z.object({
  /** Monotonic per server; the cursor of this item. */
  seq: count,
  messageId: messageIdSchema,
  senderOrganId: organIdSchema,
  senderName: text(500),
  documentId: documentIdSchema,
  codeNumber: text(50),
  codeNotation: text(150),
  subject: text(2000),
  promulgationDate: text(40),
  priority: z.number().int().min(0).max(4),
  packageSha256: sha256HexSchema,
  size: count,
  deliveredAt: text(40),
  /** Latest status this recipient reported (01 right after delivery). */
  status: statusCodeSchema,
});
/** One inbox entry. */
export type InboxItem = z.infer<typeof inboxItemSchema>;

/** GET /inbox reply; nextCursor is null when there is nothing more now. */
export const inboxPageSchema = z.object({ items: z.array(inboxItemSchema), nextCursor: cursorSchema.nullable() });
/** Reply of GET /inbox. */
export type InboxPage = z.infer<typeof inboxPageSchema>;

/** One status event addressed to an organization (to the sender for 01-06/15/16; to recipients for 13). */
export const statusItemSchema = z.object({
  seq: count,
  messageId: messageIdSchema,
  documentId: documentIdSchema,
  fromOrganId: organIdSchema,
  toOrganId: organIdSchema,
  statusCode: statusCodeSchema,
  description: text(2000),
  /** edXML Timestamp of the status (yyyy/MM/dd HH:mm:ss, Vietnam time). */
  timestamp: text(40),
  /** Server receipt time (ISO). */
  receivedAt: text(40),
  /** Staff who acted, when the status message named one. */
  staff: text(200).nullable(),
});
/** One status event. */
export type StatusItem = z.infer<typeof statusItemSchema>;

/** GET /statuses reply. */
export const statusPageSchema = z.object({ items: z.array(statusItemSchema), nextCursor: cursorSchema.nullable() });
/** Reply of GET /statuses. */
export type StatusPage = z.infer<typeof statusPageSchema>;

/** POST /status reply. */
export const statusResponseSchema = z.object({ seq: count, duplicate: z.boolean() });

/** GET /messages/:id reply (sender only): status timeline per recipient. */
export const sentMessageSchema = z.object({
  messageId: messageIdSchema,
  documentId: documentIdSchema,
  recipients: z.array(z.object({ organId: organIdSchema, status: statusCodeSchema, history: z.array(statusItemSchema) })),
});

/**
 * Server-sent events: `event: <type>`, `id: <seq>`, `data: <json>`; comments `: ping` every 15 s.
 * An instance that stops ends its streams with `retry: <ms>` and `event: shutdown`
 * (`{"type":"shutdown","retryMs":…}`): reconnect (to another instance) and sync by cursor.
 */
export const serverEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('inbox'), item: inboxItemSchema }),
  z.object({ type: z.literal('status'), item: statusItemSchema }),
]);
/** One SSE payload. */
export type ServerEvent = z.infer<typeof serverEventSchema>;

/** Success envelope. */
export function okEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ status: z.literal('OK'), data });
}

/** Failure envelope: ErrorCode is a KysoError code (message key `error.<code>`), ErrorDesc English text. */
export const failEnvelopeSchema = z.object({
  status: z.literal('FAIL'),
  ErrorCode: z.string(),
  ErrorDesc: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
});
/** A failure reply. */
export type FailEnvelope = z.infer<typeof failEnvelopeSchema>;

/** Default limits the server enforces (configurable per server). */
export const DEFAULT_LIMITS = {
  /** Max bytes of one package upload. */
  maxPackageBytes: 2 * 1024 ** 3,
  /** Max bytes of the envelope part (everything before the attachments). */
  maxEnvelopeBytes: 4 * 1024 ** 2,
  /** Max bytes of a status message. */
  maxStatusBytes: 256 * 1024,
  /** Max recipients of one package. */
  maxRecipients: 500,
  /** Challenge lifetime in ms. */
  challengeTtlMs: 60_000,
  /** Session lifetime in ms. */
  sessionTtlMs: 30 * 60_000,
} as const;
