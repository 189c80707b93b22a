/**
 * Unattended mode (`kyso service --unattended`), for automation machines only: the sites the
 * administrator named are allowed without asking, every other site is refused without a
 * question, and signing requests from allowed sites are approved with the PIN from the
 * environment or a file. A wrong PIN is never retried (tokens lock after a few). Every
 * signature is in the audit log.
 */
import { KysoError } from '../../api/errors.js';
import type { Consent, OriginQuestion, SignQuestion } from './types.js';

/** Consent without a person. */
export class UnattendedConsent implements Consent {
  readonly canPlace = false;
  readonly mode = 'unattended';
  private readonly allowed: Set<string>;

  constructor(origins: string[], private readonly pin: () => Promise<string>) {
    this.allowed = new Set(origins);
  }

  /** The administrator's list decides; the shared origins store is neither read nor written. */
  originPolicy(origin: string): boolean {
    return this.allowed.has(origin);
  }

  async askOrigin(q: OriginQuestion): Promise<boolean> {
    if (!this.allowed.has(q.origin)) throw new KysoError('serviceOriginUnknown', { origin: q.origin });
    return true;
  }

  async askSign(q: SignQuestion): Promise<boolean> {
    if (!this.allowed.has(q.origin)) throw new KysoError('serviceOriginUnknown', { origin: q.origin });
    await q.approve({ pin: await this.pin(), cert: q.preferred });
    return true;
  }
}
