/**
 * What the demo's outside body does with a document it receives, whatever carries it (the
 * Kyso inbox server today, the national axis simulator later): it registers every document
 * (status 03; the server records 01 on delivery), and answers with a letter of its own when
 * the sender asked for a reply by a date (edXML DueDate).
 */

/** A received document, as far as the answer depends on it. */
export interface Arrival {
  messageId: string;
  fromCode: string;
  fromName: string;
  number: string;
  notation: string;
  subject: string;
  /** yyyy-mm-dd, when the sender set a reply-by date. */
  dueDate?: string;
}

/** One thing to do about an arrival. */
export type Answer =
  | { kind: 'register' }
  | { kind: 'reply'; to: string; toName: string; subject: string; type: string; inReplyTo: string };

/** The answers to one arrival, in order. */
export function answersFor(a: Arrival): Answer[] {
  const out: Answer[] = [{ kind: 'register' }];
  if (a.dueDate) {
    out.push({ kind: 'reply', to: a.fromCode, toName: a.fromName, subject: `Phúc đáp văn bản số ${a.number}/${a.notation}: ${a.subject}`.slice(0, 1900), type: 'Công văn', inReplyTo: `${a.number}/${a.notation}` });
  }
  return out;
}
