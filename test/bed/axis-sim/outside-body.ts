/**
 * A body behind the axis (not on any Kyso server) as a province's document software would
 * run it: a system of its own on the axis, talking to it with the platform's protocol (VXP or
 * LGSP, through the same clients the gateway uses, so the simulator checks its signatures
 * too), registering what it receives once (by sender and DocumentId: the axis may deliver a
 * document twice), answering 01 at once and 03 when its clerk registers it, agreeing (15) or
 * refusing (16) recalls, and sending documents of its own. What it sends is unsigned or
 * RSA-SHA1-signed by xmlsec1, as field systems do. Reusable by tests, the benchmark and the
 * demo; the answer policy is a parameter.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatEdxmlTimestamp, readEdxml, type ParsedEdxml } from '../../../main/exchange/edxml/index.js';
import type { StatusCode } from '../../../main/exchange/protocol.js';
import { LgspClient } from '../../../server/axis/lgsp.js';
import { linkConfigSchema, type AxisClient } from '../../../server/axis/types.js';
import { VxpClient } from '../../../server/axis/vxp.js';
import { fieldKeys, fieldPackage, fieldStatus, type FieldKeys, type FieldSigning } from './field-edxml.js';

/** What the body does with a received document (ui's demo answer logic plugs in here). */
export type Answer = { kind: 'register' } | { kind: 'reply'; subject: string };

/** A received document, as the answer policy sees it. */
export interface Arrival {
  from: string;
  fromName: string;
  documentId: string;
  number: string;
  notation: string;
  subject: string;
  dueDate?: string;
}

/** Default policy: register every document; reply when the sender set a reply-by date. */
export function defaultAnswers(a: Arrival): Answer[] {
  const out: Answer[] = [{ kind: 'register' }];
  if (a.dueDate) out.push({ kind: 'reply', subject: `Phúc đáp văn bản số ${a.number}/${a.notation}: ${a.subject}`.slice(0, 1900) });
  return out;
}

/** How the body is set up. */
export interface OutsideBodyOptions {
  home: string;
  code: string;
  name: string;
  /** How it reaches the axis. */
  axis: { kind: 'vxp'; endpoint: string; systemId: string; secret: string } | { kind: 'lgsp'; endpoint: string; clientId: string; clientSecret: string; secretId: string };
  signing?: FieldSigning;
  pollMs?: number;
  /** Wait between 01 and 03 (ms). */
  registerDelayMs?: number;
  recallAnswer?: '15' | '16';
  answers?: (a: Arrival) => Answer[];
  log?: (line: string) => void;
}

/** One document the body registered, with what it heard back about the ones it sent. */
export interface Registered extends Arrival {
  receivedAt: string;
  recalled: boolean;
  signature: string;
}

/** A running outside body. */
export class OutsideBody {
  /** Documents received, once each (by sender and DocumentId). */
  readonly register = new Map<string, Registered>();
  /** Statuses received about documents it sent: key documentId → codes in arrival order (once each). */
  readonly statuses = new Map<string, { from: string; code: string; timestamp: string }[]>();
  /** How many times the axis offered something it already had (the axis is at-least-once). */
  duplicates = 0;
  private readonly client: AxisClient;
  private readonly keys: FieldKeys;
  private readonly seenStatus = new Set<string>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private sent = 0;

  /** What it answers to a recall (13): agree (15) or refuse (16); tests may change it. */
  recallAnswer: '15' | '16';

  constructor(private readonly o: OutsideBodyOptions) {
    this.recallAnswer = o.recallAnswer ?? '15';
    mkdirSync(o.home, { recursive: true });
    this.keys = fieldKeys(path.join(o.home, 'keys'), o.name);
    const base = linkConfigSchema.parse({ timeoutMs: 10_000 });
    this.client = o.axis.kind === 'vxp'
      ? new VxpClient({ link: o.code, endpoint: o.axis.endpoint, config: { ...base, systemId: o.axis.systemId }, secret: () => (o.axis as { secret: string }).secret })
      : new LgspClient({ link: o.code, endpoint: o.axis.endpoint, config: { ...base, clientId: o.axis.clientId }, secret: () => (o.axis as { clientSecret: string }).clientSecret, secretId: () => (o.axis as { secretId: string }).secretId });
  }

  private log(line: string): void {
    this.o.log?.(`[${this.o.code}] ${line}`);
  }

  /** Starts polling the axis. */
  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.pollOnce();
        } catch (e) {
          this.log(`poll: ${e instanceof Error ? e.message : String(e)}`);
        }
        await new Promise<void>((r) => {
          const t = setTimeout(r, this.o.pollMs ?? 500);
          this.wake = () => {
            clearTimeout(t);
            r();
          };
        });
      }
    })();
  }

  /** Stops polling. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Handles everything the axis lists for it now. */
  async pollOnce(): Promise<void> {
    for (const kind of ['edoc', 'status'] as const) {
      for (const item of await this.client.received(kind)) {
        const file = path.join(this.o.home, `in-${item.docId}.edxml`);
        try {
          await this.client.download(item.docId, kind, file);
          const m = await readEdxml(file, { tmpDir: this.o.home, discardAttachments: true, signature: 'report' });
          if (m.kind === 'package') await this.onDocument(m);
          else await this.onStatus(m);
          await this.client.ack(item.docId, 'done');
        } finally {
          rmSync(file, { force: true });
        }
      }
    }
  }

  private async onDocument(m: Extract<ParsedEdxml, { kind: 'package' }>): Promise<void> {
    const h = m.header;
    const key = `${h.from.organId}|${m.documentId}`;
    if (this.register.has(key)) {
      this.duplicates++;
      return;
    }
    const a: Arrival = { from: h.from.organId, fromName: h.from.organName, documentId: m.documentId, number: h.code.codeNumber, notation: h.code.codeNotation, subject: h.subject, ...(h.dueDate ? { dueDate: h.dueDate } : {}) };
    this.register.set(key, { ...a, receivedAt: new Date().toISOString(), recalled: false, signature: m.signature.state });
    this.log(`received ${a.number}/${a.notation} from ${a.from} (${m.signature.state})`);
    await this.answer(a, h.promulgationInfo.promulgationDate, '01');
    for (const ans of (this.o.answers ?? defaultAnswers)(a)) {
      if (ans.kind === 'register') {
        if (this.o.registerDelayMs) await new Promise((r) => setTimeout(r, this.o.registerDelayMs));
        await this.answer(a, h.promulgationInfo.promulgationDate, '03');
        this.log(`registered ${a.number}/${a.notation}`);
      } else {
        await this.send({ to: [{ code: a.from, name: a.fromName }], subject: ans.subject, number: String(++this.sent), notation: 'STC-VP' });
      }
    }
  }

  private async onStatus(m: Extract<ParsedEdxml, { kind: 'status' }>): Promise<void> {
    const key = `${m.from.organId}|${m.responseFor.documentId}|${m.statusCode}|${m.timestamp}`;
    if (this.seenStatus.has(key)) {
      this.duplicates++;
      return;
    }
    this.seenStatus.add(key);
    if (m.statusCode === '13') {
      const r = this.register.get(`${m.from.organId}|${m.responseFor.documentId}`);
      if (!r) return;
      r.recalled = true;
      this.log(`recall of ${r.number}/${r.notation} by ${r.from}: answering ${this.recallAnswer}`);
      await this.answer(r, m.responseFor.promulgationDate, this.recallAnswer);
      return;
    }
    const list = this.statuses.get(m.responseFor.documentId) ?? [];
    list.push({ from: m.from.organId, code: m.statusCode, timestamp: m.timestamp });
    this.statuses.set(m.responseFor.documentId, list);
    this.log(`status ${m.statusCode} from ${m.from.organId} on ${m.responseFor.documentId}`);
  }

  /** Sends a status about a document it received (01, 03, 15, 16) or sent (13). */
  async answer(a: Pick<Arrival, 'from' | 'documentId' | 'number' | 'notation'>, promulgationDate: string, code: StatusCode, description = ''): Promise<void> {
    const xml = await fieldStatus({
      responseFor: { organId: code === '13' ? this.o.code : a.from, code: `${a.number}/${a.notation}`, promulgationDate, documentId: a.documentId },
      from: { organId: this.o.code, organName: this.o.name }, statusCode: code, description, timestamp: formatEdxmlTimestamp(),
      staffInfo: { staff: 'Văn thư' },
    }, this.o.signing ?? 'none', this.keys, this.o.home);
    const file = path.join(this.o.home, `out-status-${Date.now()}-${Math.random().toString(36).slice(2)}.xml`);
    try {
      writeFileSync(file, xml);
      await this.retry(() => this.client.sendStatus(file, this.o.code, [a.from]));
    } finally {
      rmSync(file, { force: true });
    }
  }

  /** Sends a document of its own (a small PDF) to bodies on the other side of the axis. */
  async send(d: { to: { code: string; name: string }[]; subject: string; number: string; notation: string; dueDate?: string; pdf?: Buffer }): Promise<{ documentId: string; docId: string }> {
    const today = formatEdxmlTimestamp().slice(0, 10);
    const p = await fieldPackage({
      header: {
        from: { organId: this.o.code, organName: this.o.name }, to: d.to.map((t) => ({ organId: t.code, organName: t.name })),
        code: { codeNumber: d.number, codeNotation: d.notation }, promulgationInfo: { place: 'Hà Nội', promulgationDate: today },
        documentType: { type: 1, typeDetail: 3, typeName: 'Công văn' }, subject: d.subject, signerInfo: { position: 'Chánh Văn phòng', fullName: 'Trần Thị Bình' },
        ...(d.dueDate ? { dueDate: d.dueDate } : {}),
      },
      attachments: [{ meta: { contentId: 'vb1', attachmentName: `${d.number}-${d.notation}.pdf` }, data: d.pdf ?? Buffer.from(`%PDF-1.4\n% ${d.subject}\n%%EOF\n`) }],
    }, this.o.signing ?? 'none', this.keys, this.o.home);
    const file = path.join(this.o.home, `out-doc-${Date.now()}-${Math.random().toString(36).slice(2)}.edxml`);
    try {
      writeFileSync(file, p.bytes);
      const r = await this.retry(() => this.client.sendDocument(file, this.o.code, d.to.map((t) => t.code)));
      this.log(`sent ${d.number}/${d.notation} to ${d.to.map((t) => t.code).join(', ')}`);
      return { documentId: p.documentId, docId: r.docId };
    } finally {
      rmSync(file, { force: true });
    }
  }

  /** Recalls a document it sent (13 with a reason). */
  async recall(documentId: string, number: string, notation: string, promulgationDate: string, reason: string): Promise<void> {
    await this.answer({ from: this.o.code, documentId, number, notation }, promulgationDate, '13', reason);
  }

  /** The axis fails now and then (tests inject faults): a field system retries. */
  private async retry<T>(fn: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (e) {
        if (i >= 30) throw e;
        await new Promise((r) => setTimeout(r, 50 * Math.min(20, i + 1)));
      }
    }
  }
}

/** Reads a body's certificate (tests check the RSA-SHA1 signer). */
export function fieldCertificate(home: string): Buffer {
  return readFileSync(path.join(home, 'keys', 'field-cert.pem'));
}
