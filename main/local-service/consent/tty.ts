/**
 * Consent on the terminal of `kyso service` (headless, no window): the question, the
 * documents with their sizes, pages and SHA-256, the certificate; "y" allows a site, the PIN
 * approves a signing request, an empty line refuses. Without a terminal nothing can be
 * asked: unknown sites are refused and signing requests too.
 */
import { t, type Lang } from '../../../resources/locales/index.js';
import { KysoError } from '../../api/errors.js';
import { formatSize } from '../../net/fetch.js';
import type { Consent, OriginQuestion, SignQuestion } from './types.js';

/** Reads a line from the terminal (hidden for PINs); rejects when `signal` aborts. */
export type LinePrompt = (question: string, opts: { hidden: boolean; signal: AbortSignal }) => Promise<string>;

/** Consent through a terminal. */
export class TtyConsent implements Consent {
  readonly canPlace = false;
  readonly mode = 'tty';

  constructor(
    private readonly lang: () => Lang,
    private readonly out: (text: string) => void,
    /** Undefined when stdin is no terminal. */
    private readonly prompt: LinePrompt | undefined,
  ) {}

  async askOrigin(q: OriginQuestion): Promise<boolean> {
    if (!this.prompt) throw new KysoError('serviceOriginUnknown', { origin: q.origin });
    const a = await this.prompt(t(this.lang(), 'service.cli.prompt.origin', { origin: q.origin, what: t(this.lang(), q.whatKey) }), { hidden: false, signal: q.signal });
    return /^(y|yes|c|co|có)$/i.test(a.trim());
  }

  async askSign(q: SignQuestion): Promise<boolean> {
    if (!this.prompt) throw new KysoError('serviceOriginUnknown', { origin: q.origin });
    const lang = this.lang();
    const cert = q.certificates.find((c) => c.fingerprint === q.preferred);
    this.out(t(lang, 'service.cli.prompt.sign', { origin: q.origin, role: t(lang, `ui.role.${q.role}`), count: q.documents.length, cert: cert ? `${cert.commonName} (${cert.serial})` : '?' }) + '\n');
    for (const d of q.documents) this.out(t(lang, 'service.cli.prompt.doc', { name: d.name, size: formatSize(d.size), pages: d.pages, sha256: d.sha256 }) + '\n');
    for (;;) {
      const pin = await this.prompt(t(lang, 'service.cli.prompt.pin'), { hidden: true, signal: q.signal });
      if (!pin) return false;
      try {
        await q.approve({ pin, cert: q.preferred });
        return true;
      } catch (e) {
        // A wrong PIN is said and asked again (the token counts the tries); anything else ends.
        if (!(e instanceof KysoError) || !e.code.startsWith('tokenPinIncorrect')) throw e;
        this.out(t(lang, `error.${e.code}`, e.params) + '\n');
      }
    }
  }
}
