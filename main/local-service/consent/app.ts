/**
 * Consent through the app's window (Electron or the browser host): each question becomes a
 * `service:prompt` event that the consent dialog shows; the user's answer comes back through
 * `service:answer`. Questions arrive one at a time (the service queues them); a page that
 * goes away or a question that times out closes its dialog (`service:promptClosed`).
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { KysoError } from '../../api/errors.js';
import type { servicePromptSchema } from '../../api/contract/service.js';
import type { Consent, OriginQuestion, SignAnswer, SignQuestion } from './types.js';

/** A question as the screens receive it. */
export type ServicePrompt = z.output<typeof servicePromptSchema>;

/** The user's answer (the contract's service:answer input). */
export interface PromptAnswer {
  approve: boolean;
  pin?: string | null;
  cert?: string;
  placement?: SignAnswer['placement'];
  savePlacement?: boolean;
}

interface Open {
  prompt: ServicePrompt;
  answer(a: PromptAnswer): Promise<void>;
}

/** Sends the prompt events to the app's screens. */
export interface PromptSink {
  prompt(p: ServicePrompt): void;
  closed(id: string, outcome: 'approved' | 'refused' | 'cancelled'): void;
}

/** The app's consent. */
export class AppConsent implements Consent {
  readonly canPlace = true;
  readonly mode = 'app';
  private readonly open = new Map<string, Open>();

  constructor(private readonly sink: PromptSink) {}

  /** Questions waiting for an answer, oldest first. */
  pending(): ServicePrompt[] {
    return [...this.open.values()].map((o) => o.prompt);
  }

  /**
   * Answers question `id`. For a signing approval this logs in: a wrong PIN throws here and
   * the question stays open. Throws `serviceNoPrompt` for an unknown (or closed) question.
   */
  async answer(id: string, a: PromptAnswer): Promise<void> {
    const o = this.open.get(id);
    if (!o) throw new KysoError('serviceNoPrompt');
    await o.answer(a);
  }

  private ask<T>(prompt: ServicePrompt, signal: AbortSignal, onAnswer: (a: PromptAnswer, finish: (v: T, outcome: 'approved' | 'refused') => void) => Promise<void>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (v: T, outcome: 'approved' | 'refused' | 'cancelled') => {
        if (done) return;
        done = true;
        this.open.delete(prompt.id);
        signal.removeEventListener('abort', onAbort);
        this.sink.closed(prompt.id, outcome);
        resolve(v);
      };
      const onAbort = () => {
        if (done) return;
        done = true;
        this.open.delete(prompt.id);
        this.sink.closed(prompt.id, 'cancelled');
        reject(new KysoError('cancelled'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.open.set(prompt.id, { prompt, answer: (a) => onAnswer(a, finish) });
      this.sink.prompt(prompt);
    });
  }

  askOrigin(q: OriginQuestion): Promise<boolean> {
    const prompt: ServicePrompt = { kind: 'origin', id: randomUUID(), origin: q.origin, operation: q.operation, whatKey: q.whatKey };
    return this.ask<boolean>(prompt, q.signal, async (a, finish) => finish(a.approve, a.approve ? 'approved' : 'refused'));
  }

  askSign(q: SignQuestion): Promise<boolean> {
    const prompt: ServicePrompt = {
      kind: 'sign', id: q.id, origin: q.origin, operation: q.operation, role: q.role, documents: q.documents,
      placements: q.placements.map((p) => ({
        source: p.source,
        ...(p.placement?.page !== undefined ? { page: p.placement.page } : {}),
        ...(p.placement?.rect ? { rect: p.placement.rect } : {}),
        ...(p.placement?.anchor ? { anchor: p.placement.anchor } : {}),
      })),
      details: q.details, certificates: q.certificates, preferred: q.preferred, appearances: q.appearances,
    };
    let busy = false;
    return this.ask<boolean>(prompt, q.signal, async (a, finish) => {
      if (!a.approve) return finish(false, 'refused');
      // A stamp with no place: the user must put it somewhere first.
      if (!a.placement && q.placements.some((p) => p.source === 'ask')) throw new KysoError('servicePlacementNeeded');
      if (busy) throw new KysoError('serviceBusy');
      busy = true;
      try {
        await q.approve({ pin: a.pin ?? null, cert: a.cert ?? q.preferred, ...(a.placement ? { placement: a.placement } : {}), ...(a.savePlacement ? { savePlacement: true } : {}) });
      } finally {
        busy = false;
      }
      finish(true, 'approved');
    });
  }
}
