/**
 * What the simulated axis holds: connected systems (each with its secret and the bodies it
 * hosts), the documents and status messages sent through it with a delivery state per
 * receiving system, and the routing rules: a document goes to the systems hosting its `to`
 * codes; a status goes to the system hosting ResponseFor.OrganId, and a recall (13) to the
 * systems that received the recalled document. Status XML is read with a few regular
 * expressions of its own (not Kyso's reader).
 */
import { randomUUID } from 'node:crypto';

/** A system connected to the axis. */
export interface SimSystem {
  systemId: string;
  secret: string;
  agencies: { code: string; name: string; parent?: string }[];
}

/** One thing sent through the axis. */
export interface SimDoc {
  docId: string;
  kind: 'edoc' | 'status';
  fromSystem: string;
  from: string;
  to: string[];
  bytes: Buffer;
  createdAt: string;
  /** DocumentId read from the XML (documents: the header's; statuses: ResponseFor's). */
  documentId: string | null;
  /** Status messages: the code. */
  statusCode: string | null;
  /** Per receiving system: initial until it says done/fail/processing. */
  delivery: Map<string, 'initial' | 'processing' | 'done' | 'fail'>;
}

const tag = (xml: string, name: string): string | undefined => new RegExp(`<(?:[\\w.-]+:)?${name}>\\s*([^<]*?)\\s*</(?:[\\w.-]+:)?${name}>`).exec(xml)?.[1];
const block = (xml: string, name: string): string | undefined => new RegExp(`<(?:[\\w.-]+:)?${name}>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`).exec(xml)?.[1];

/** The axis's memory. */
export class AxisState {
  readonly systems = new Map<string, SimSystem>();
  readonly docs: SimDoc[] = [];

  /** Connects a system (or replaces it). */
  addSystem(s: SimSystem): void {
    this.systems.set(s.systemId, s);
  }

  /** The system hosting an agency code. */
  hostOf(code: string): SimSystem | undefined {
    for (const s of this.systems.values()) if (s.agencies.some((a) => a.code === code)) return s;
    return undefined;
  }

  /** Every agency of every system. */
  agencies(): { code: string; name: string; parentCode?: string }[] {
    return [...this.systems.values()].flatMap((s) => s.agencies.map((a) => ({ code: a.code, name: a.name, ...(a.parent ? { parentCode: a.parent } : {}) })));
  }

  /** Accepts a document; throws a refusal text when it cannot be routed. */
  sendDocument(fromSystem: string, from: string, to: string[], bytes: Buffer): SimDoc {
    const sys = this.systems.get(fromSystem)!;
    if (!sys.agencies.some((a) => a.code === from)) throw new Error(`agency ${from} is not hosted by ${fromSystem}`);
    if (!to.length) throw new Error('no recipient');
    const delivery = new Map<string, SimDoc['delivery'] extends Map<string, infer V> ? V : never>();
    for (const code of to) {
      const host = this.hostOf(code);
      if (!host) throw new Error(`unknown agency ${code}`);
      delivery.set(host.systemId, 'initial');
    }
    const xml = bytes.toString('utf8');
    const header = block(xml, 'MessageHeader') ?? '';
    return this.push({ kind: 'edoc', fromSystem, from, to, bytes, documentId: tag(header, 'DocumentId') ?? null, statusCode: null, delivery });
  }

  /** Accepts a status message; routed by its ResponseFor (13: to whoever received the document). */
  sendStatus(fromSystem: string, from: string, bytes: Buffer): SimDoc {
    const xml = bytes.toString('utf8');
    const code = tag(xml, 'StatusCode');
    const rf = block(xml, 'ResponseFor');
    const target = rf ? tag(rf, 'OrganId') : undefined;
    const documentId = rf ? tag(rf, 'DocumentId') ?? null : null;
    if (!code || !target) throw new Error('not a status message (StatusCode, ResponseFor)');
    const delivery = new Map<string, 'initial'>();
    if (code === '13') {
      const original = [...this.docs].reverse().find((d) => d.kind === 'edoc' && d.from === from && d.documentId === documentId);
      if (!original) throw new Error(`no document ${documentId} from ${from} to recall`);
      for (const sys of original.delivery.keys()) delivery.set(sys, 'initial');
    } else {
      const host = this.hostOf(target);
      if (!host) throw new Error(`unknown agency ${target}`);
      delivery.set(host.systemId, 'initial');
    }
    return this.push({ kind: 'status', fromSystem, from, to: [target], bytes, documentId, statusCode: code, delivery });
  }

  /** Puts raw bytes in a system's list as they are (bad-input tests: the axis forwarding garbage). */
  inject(toSystem: string, kind: 'edoc' | 'status', from: string, to: string[], bytes: Buffer): SimDoc {
    return this.push({ kind, fromSystem: '(injected)', from, to, bytes, documentId: null, statusCode: null, delivery: new Map([[toSystem, 'initial']]) });
  }

  private push(d: Omit<SimDoc, 'docId' | 'createdAt'>): SimDoc {
    const doc: SimDoc = { ...d, docId: randomUUID(), createdAt: new Date().toISOString() };
    this.docs.push(doc);
    return doc;
  }

  /** What a system has not yet marked done or failed. */
  waiting(systemId: string, kind: 'edoc' | 'status'): SimDoc[] {
    return this.docs.filter((d) => d.kind === kind && ['initial', 'processing'].includes(d.delivery.get(systemId) ?? 'done'));
  }

  /** A document a system may read. */
  readable(systemId: string, docId: string): SimDoc | undefined {
    const d = this.docs.find((x) => x.docId === docId);
    return d && d.delivery.has(systemId) ? d : undefined;
  }
}
