/**
 * The exchange use cases the Send, Inbox and Registers screens and `kyso send|inbox|outbox|
 * register` share: the registers (list, search, CSV export), answering an incoming document,
 * and naming the key a token signs packages and logins with.
 */
import path from 'node:path';
import type { ExchangeClient } from '../exchange/client/index.js';
import type { CertSelector } from '../../native/types.js';
import { writeFileOrFail } from '../signing/atomic.js';
import { incomingCsv, outgoingCsv, type IncomingDoc, type OutgoingDetail, type Store } from '../store/index.js';

/** Which register: incoming (accepted documents, numbered on arrival) or outgoing. */
export type RegisterKind = 'incoming' | 'outgoing';

/** Documents of the registers; without `kind`, both. */
export interface RegisterEntries {
  incoming: IncomingDoc[];
  outgoing: OutgoingDetail[];
}

/** The key on a token named by `cert`: a SHA-256 fingerprint (64 hex digits), else a CKA_ID; none: the first key. */
export function certSelector(cert: string | undefined): CertSelector {
  if (!cert) return {};
  return /^[0-9a-f]{64}$/i.test(cert) ? { fingerprint: cert } : { keyId: cert };
}

/** The outgoing documents with these ids, with their recipients' latest statuses (unknown ids skipped). */
export function outgoingDetails(store: Store, ids: string[]): OutgoingDetail[] {
  return ids.map((id) => store.outgoing.get(id)).filter((d): d is OutgoingDetail => !!d);
}

/** One page of the registers (the incoming one lists accepted documents only). */
export function registerEntries(store: Store, opts: { kind?: RegisterKind; year?: number; limit?: number; offset?: number }): RegisterEntries {
  const page = { year: opts.year, limit: opts.limit ?? 100, offset: opts.offset ?? 0 };
  return {
    incoming: opts.kind === 'outgoing' ? [] : store.incoming.list({ state: 'accepted', ...page }),
    outgoing: opts.kind === 'incoming' ? [] : outgoingDetails(store, store.outgoing.list(page).map((d) => d.messageId)),
  };
}

/** Full-text search over the registers (subject, number, notation, bodies, file names). */
export function searchRegisters(store: Store, query: string, kind: RegisterKind | undefined, limit: number): RegisterEntries {
  const hits = store.search.find(query, kind, limit);
  return {
    incoming: store.incoming.byIds(hits.filter((h) => h.kind === 'incoming').map((h) => h.messageId)),
    outgoing: outgoingDetails(store, hits.filter((h) => h.kind === 'outgoing').map((h) => h.messageId)),
  };
}

/** Writes one register of a year (or all years) as CSV (UTF-8 with BOM, for Excel). */
export function exportRegister(store: Store, kind: RegisterKind, year: number | undefined, file: string): { path: string; rows: number } {
  const out = path.resolve(file);
  const all = registerEntries(store, { kind, year, limit: 1_000_000 });
  const csv = kind === 'incoming' ? incomingCsv(all.incoming) : outgoingCsv(all.outgoing);
  writeFileOrFail(out, csv);
  return { path: out, rows: kind === 'incoming' ? all.incoming.length : all.outgoing.length };
}

/** Status codes a recipient sends about an incoming document: handling (04-06) or a recall answer (15/16). */
export const ANSWER_CODES = ['04', '05', '06', '15', '16'] as const;

/** Sends a status for an incoming document: 15/16 answer its recall, 04/05/06 report its handling. */
export function answerIncoming(client: ExchangeClient, messageId: string, code: (typeof ANSWER_CODES)[number], description: string): Promise<IncomingDoc> {
  return code === '15' || code === '16' ? client.answerRecall(messageId, code, description) : client.report(messageId, code, description);
}
