/** Options and results of the PAdES signing engine (shared by CLI, batch and IPC handlers). */
import type { HashAlgorithm, SignatureScheme, Signer } from '../pki/signer.js';
import type { TsaConfig } from '../pki/tsa-client.js';

/** PAdES baseline levels Kyso produces. */
export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';

/** Ordered list of levels, lowest first (for comparisons and fallbacks). */
export const LEVELS: readonly PadesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

/**
 * Decree 30 signature roles, the initials signature ("ký nháy": a drafter's or reviewer's
 * small mark beside the text, also what web systems call a comment signature), plus an
 * invisible signature.
 */
export type SignatureRole = 'approval' | 'issuing' | 'attachment' | 'copy' | 'incoming' | 'initials' | 'invisible';

/** Where the widget goes: a 1-based page and a rectangle in PDF points, or an anchor text. */
export interface Placement {
  page?: number;
  /** x, y (bottom-left), width, height in user space points. */
  rect?: [number, number, number, number];
  /** Text to find on the page (e.g. the signer's title); the box is placed relative to it. */
  anchor?: string;
  /** Offset of the box from the anchor's bottom-left corner, and its size. */
  anchorOffset?: { dx: number; dy: number; width: number; height: number };
}

/** Visible content of the signature (what each role prints). */
export interface AppearanceOptions {
  role: SignatureRole;
  /** PNG of the handwritten signature (approval, issuing). */
  image?: string;
  /** PNG of the organization seal (issuing). */
  sealImage?: string;
  /** The seal's real diameter in millimetres, when its PNG does not state it (pHYs); default 36. */
  sealSizeMm?: number;
  organization?: string;
  signerName?: string;
  /**
   * Document number and notation, e.g. "15/QĐ-UBND" (attachment stamp). Issuing writes its
   * number part into the letter's "Số: …/…" blank.
   */
  documentNumber?: string;
  /** Issue date (dd/mm/yyyy or yyyy-mm-dd): issuing writes it into "ngày … tháng … năm …". */
  documentDate?: string;
  /** Copy form for the copy role. */
  copyForm?: 'SAO Y' | 'SAO LỤC' | 'TRÍCH SAO';
  /** Arrival number and date for the incoming stamp. */
  arrivalNumber?: string;
  arrivalDate?: string;
}

/** Everything one signature needs. */
export interface SignOptions {
  signer: Signer;
  level?: PadesLevel;
  tsa?: TsaConfig;
  hash?: HashAlgorithm;
  scheme?: SignatureScheme;
  reason?: string;
  location?: string;
  /** DocMDP permissions for a certification signature (only honoured on the first signature). */
  certify?: 1 | 2 | 3;
  appearance?: AppearanceOptions;
  placement?: Placement;
  /** When the TSA or the revocation services are down: sign at a lower level and warn. */
  allowFallback?: boolean;
  /** Claimed signing time for /M (defaults to now). */
  signingTime?: Date;
  /** Bytes reserved for /Contents; default from the chain and level (see placeholder-size.ts). */
  contentsRoom?: number;
  /** Timeout for OCSP/CRL fetches (ms). */
  revocationTimeoutMs?: number;
  /** Password of an encrypted input (the empty user password is tried first). */
  password?: string;
  signal?: AbortSignal;
}

/** Outcome of signing one file. */
export interface SignResult {
  input: string;
  output: string;
  /** Level actually reached (lower than asked only with allowFallback). */
  level: PadesLevel;
  fieldName: string;
  size: number;
  /** Message keys (resources/locales/sign.ts) with params: fallbacks and skipped certifications. */
  warnings: Array<{ code: string; params?: Record<string, string | number> }>;
}
