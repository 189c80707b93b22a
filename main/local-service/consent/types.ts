/**
 * How the service asks the person at the PC: a new site wants to use it (asked once per
 * origin, the answer is remembered), and a signing request (every time: the documents, the
 * role and where its stamp goes, the certificate, then the PIN). Three implementations: the
 * app's dialog (app.ts), the terminal of `kyso service` (tty.ts), and unattended mode for
 * automation (unattended.ts).
 */
import type { AppearanceOptions, SignatureRole } from '../../signing/types.js';
import type { FetchedDoc } from '../documents.js';
import type { PlacementPlan } from '../placement.js';
import type { CertChoice } from '../tokens.js';

/** A site's first request. */
export interface OriginQuestion {
  origin: string;
  /** What it asked for (an endpoint or VNPT-CA function name). */
  operation: string;
  /** Message key describing what the site wants ("service.op.sign"...). */
  whatKey: string;
  /** Aborted when the page goes away. */
  signal: AbortSignal;
}

/** A rectangle the user placed: 1-based page, [x, y, width, height] in points. */
export interface PlacedBox {
  page: number;
  rect: [number, number, number, number];
}

/** The user's approval of a signing request. */
export interface SignAnswer {
  /** The PIN (null: the token's PIN pad). Used once for the login and never kept. */
  pin: string | null;
  /** Fingerprint of the certificate to sign with. */
  cert: string;
  /** Where the stamp goes, when the user placed (or moved) it. */
  placement?: PlacedBox;
  /** Remember that placement for this role. */
  savePlacement?: boolean;
}

/** A signing request put to the user. */
export interface SignQuestion {
  id: string;
  origin: string;
  operation: string;
  role: SignatureRole;
  documents: Array<Pick<FetchedDoc, 'name' | 'url' | 'size' | 'pages' | 'sha256' | 'path'>>;
  /** Where the stamp goes unless the user places it (per document: same order). */
  placements: PlacementPlan[];
  /** What the stamp will say besides the signer and time (number, date, arrival number...). */
  details: Record<string, string>;
  certificates: CertChoice[];
  preferred: string;
  /** The appearance signing would draw with each certificate (by fingerprint), for previews. */
  appearances: Record<string, AppearanceOptions>;
  signal: AbortSignal;
  /**
   * Tries an answer: opens the token with its PIN. Throws (a wrong PIN, a locked token...)
   * and the question stays open; resolves once the token is open.
   */
  approve(answer: SignAnswer): Promise<void>;
}

/** Asks the user. */
export interface Consent {
  /** True when the user allows the site (the caller remembers the answer). */
  askOrigin(q: OriginQuestion): Promise<boolean>;
  /** True once approve() succeeded; false when the user refused. */
  askSign(q: SignQuestion): Promise<boolean>;
  /** Whether the user can place a stamp here (only the app's dialog can). */
  readonly canPlace: boolean;
  /** 'app', 'tty' or 'unattended' (written to the audit log). */
  readonly mode: string;
  /**
   * A fixed answer for a site, bypassing the remembered ones (unattended mode: only the
   * administrator's list counts); undefined: ask or use what the user answered before.
   */
  originPolicy?(origin: string): boolean | undefined;
}
