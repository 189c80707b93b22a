/**
 * The outside body on the Kyso inbox server: Kyso's own exchange client with the body's key
 * (a software key of the demo PKI: this body is simulated, the user's side is not), its own
 * store, live notifications plus a slow poll, and the answers of answer.ts carried out one
 * arrival at a time. The answer logic knows nothing of this transport.
 */
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import type { LiveListener } from '../../../main/exchange/client/live.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import { openStore, type IncomingDoc } from '../../../main/store/index.js';
import { answersFor, type Answer } from './answer.js';
import { writeReplyLetter } from './reply-letter.js';

/** The body and where it connects. */
export interface OutsideBodyConfig {
  /** Its own data folder (store, inbox, outbox, replies). */
  home: string;
  server: string;
  code: string;
  keyPath: string;
  certPath: string;
  /** CA certificates of its chain (issuing CA first). */
  chainPaths: string[];
  /** Trust anchor for validating what it receives. */
  rootPath: string;
  tsaUrl?: string;
  body: { name: string; upper: string; lower: string; abbreviation: string; place: string; signerTitle: string; signerName: string };
  /** Wait before registering, so the sender sees 01 (arrived) before 03 (ms). */
  registerDelayMs?: number;
}

const der = (file: string) => Buffer.from(new X509Certificate(readFileSync(file)).raw);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the body until stop() is called; `log` gets one line per thing it does. */
export async function runOnInbox(c: OutsideBodyConfig, log: (line: string) => void): Promise<{ stop(): Promise<void> }> {
  mkdirSync(path.join(c.home, 'replies'), { recursive: true });
  const store = openStore(c.home);
  const signer = softwareSigner(readFileSync(c.keyPath), der(c.certPath), c.chainPaths.map(der));
  const queue: IncomingDoc[] = [];
  let wake: (() => void) | null = null;
  const client = new ExchangeClient({
    store,
    home: c.home,
    server: c.server,
    signer: async () => signer,
    validator: defaultValidator([readFileSync(c.rootPath)], false, c.home),
    events: {
      onArrival: (doc) => {
        queue.push(doc);
        wake?.();
      },
    },
  });
  let stopped = false;

  const carryOut = async (doc: IncomingDoc, a: Answer) => {
    if (a.kind === 'register') {
      await sleep(c.registerDelayMs ?? 1500);
      await client.accept(doc.messageId);
      log(`registered ${doc.number}/${doc.notation} from ${doc.fromCode}`);
      return;
    }
    const seq = Number(store.settings.get('outside.replyNumber') ?? 0) + 1;
    store.settings.set('outside.replyNumber', seq);
    const base = path.join(c.home, 'replies', `phuc-dap-${seq}`);
    const b = c.body;
    await writeReplyLetter({
      body: { upper: b.upper, lower: b.lower, abbreviation: b.abbreviation, place: b.place },
      number: String(seq).padStart(2, '0'),
      date: new Date(),
      subjectLine: `V/v phúc đáp văn bản số ${a.inReplyTo}`,
      to: a.toName,
      paragraphs: [
        `${b.name} đã nhận văn bản số ${a.inReplyTo} và đã vào sổ văn bản đến.`,
        'Đơn vị sẽ triển khai thực hiện theo đúng nội dung văn bản và báo cáo kết quả trước thời hạn yêu cầu./.',
      ],
      signerTitle: b.signerTitle,
      signerName: b.signerName,
    }, `${base}.unsigned.pdf`, `${base}.pdf`, signer, c.tsaUrl);
    const r = await client.queue({ to: [a.to], subject: a.subject, number: String(seq).padStart(2, '0'), notation: b.abbreviation, type: a.type, files: [`${base}.pdf`],
      meta: { issueDate: new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10), signerName: b.signerName, signerPosition: b.signerTitle } });
    await client.flush();
    log(`replied to ${a.inReplyTo} with ${String(seq).padStart(2, '0')}/${b.abbreviation} (${r.messageId})`);
  };

  const worker = (async () => {
    while (!stopped) {
      const doc = queue.shift();
      if (!doc) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 5000);
        });
        wake = null;
        // SSE is a hint: look again now and then.
        if (!stopped) await client.sync().catch((e: unknown) => log(`sync: ${e instanceof Error ? e.message : String(e)}`));
        continue;
      }
      for (const a of answersFor({ ...doc, ...(doc.meta.dueDate ? { dueDate: doc.meta.dueDate } : {}) })) {
        try {
          await carryOut(doc, a);
        } catch (e) {
          log(`could not ${a.kind} ${doc.number}/${doc.notation}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
  })();

  // What arrived while the body was not running is answered first.
  queue.push(...store.incoming.list({ state: 'arrived', limit: 1000 }));
  await client.sync();
  let live: LiveListener | null = await client.live((e) => log(`live: ${e instanceof Error ? e.message : String(e)}`)).catch(() => null);
  log(`ready as ${c.code} on ${c.server}`);
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await live?.stop();
      live = null;
      await worker;
      store.close();
    },
  };
}
