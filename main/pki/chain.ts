/**
 * The one certificate path builder. A certificate's issuer is a CA certificate (basicConstraints
 * cA, keyCertSign when keyUsage is present) whose subject is its issuer name and whose key
 * verifies its signature. Two uses: a path from a leaf to a trust anchor for validation and the
 * inbox server (intermediates from the CMS, the DSS and, when online, AIA caIssuers URLs), and
 * the CA chain a signer carries (signing, the token manager), ordered from a pool.
 */
import { fetchBytes } from '../net/fetch.js';
import { certView, isIssuedBy, type CertView } from './cert.js';
import { parseCertificates } from './cert-file.js';

/** Inputs of path building. */
export interface ChainInput {
  leaf: CertView;
  /** Untrusted candidates (CMS certificates, DSS /Certs). */
  pool: Buffer[];
  anchors: Buffer[];
  offline: boolean;
}

/** A path from the leaf (first) to the anchor (last). */
export interface ChainResult {
  path: CertView[] | null;
  /** Certificates fetched through AIA while building. */
  fetched: Buffer[];
}

const MAX_DEPTH = 10;
/**
 * Most issuer signatures checked and paths extended in one search. The pool comes from the
 * document (CMS certificates, DSS) or the package being checked: certificates crafted to share
 * names and keys made the depth-first search exponential (3 candidate issuers at each of 10
 * levels: 32 s; 5: hours). Real chains need a handful of each.
 */
const MAX_CHECKS = 20_000;
const MAX_STEPS = 2000;
/** Deadline of one AIA fetch while validating. */
const ONLINE_TIMEOUT_MS = 8000;
/** AIA caIssuers URLs asked at most while building one path, and the size of an answer. */
const MAX_FETCHES = 8;
const MAX_FETCH_BYTES = 1 << 20;

/** Only CA certificates (basicConstraints cA, keyCertSign when keyUsage is present) may issue. */
function canIssue(c: CertView): boolean {
  return c.isCa && c.canSignCerts;
}

/** Views of the parsable certificates, each once. */
function views(ders: Uint8Array[]): CertView[] {
  const out: CertView[] = [];
  const seen = new Set<string>();
  for (const d of ders) {
    try {
      const c = certView(d);
      if (!seen.has(c.fingerprint)) {
        seen.add(c.fingerprint);
        out.push(c);
      }
    } catch {
      // An unparsable certificate in a pool is ignored, not fatal.
    }
  }
  return out;
}

/** The certificates of `pool` that issued `cert` (none of those already on the path). */
export function issuersOf(cert: CertView, pool: CertView[], onPath: CertView[] = []): CertView[] {
  const used = new Set(onPath.map((c) => c.fingerprint));
  return pool.filter((c) => !used.has(c.fingerprint) && canIssue(c) && isIssuedBy(cert, c));
}

/** How a search ends: the anchors to reach, or none (then a path ends where the pool does). */
type Goal = { anchors: CertView[] } | { anchors: null };

/**
 * Depth-first search from `start` over `pool`. With anchors, a path ends at an anchor (null when
 * none is reached; self-signed non-anchors never end one). Without, it ends at a self-signed
 * certificate or where no issuer is known. Certificates without an issuer in the pool are
 * reported through `deadEnd` (candidates for an AIA fetch).
 */
function search(start: CertView[], pool: CertView[], goal: Goal, deadEnd: (c: CertView) => void): CertView[] | null {
  // Each certificate's issuers in the pool are looked up once; the work has a budget.
  const known = new Map<string, CertView[]>();
  let checks = 0;
  let steps = 0;
  const issuers = (cert: CertView): CertView[] => {
    let found = known.get(cert.fingerprint);
    if (!found) {
      found = [];
      for (const c of pool) {
        if (!canIssue(c) || c.subject !== cert.issuer) continue;
        if (++checks > MAX_CHECKS) throw new SearchBudget();
        if (isIssuedBy(cert, c)) found.push(c);
      }
      known.set(cert.fingerprint, found);
    }
    return found;
  };
  const extend = (cur: CertView[]): CertView[] | null => {
    if (++steps > MAX_STEPS) throw new SearchBudget();
    const last = cur[cur.length - 1]!;
    if (goal.anchors) {
      // The leaf itself may be an anchor (a self-managed trusted signer).
      if (goal.anchors.some((a) => a.fingerprint === last.fingerprint)) return cur;
      const anchor = issuersOf(last, goal.anchors)[0];
      if (anchor) return [...cur, anchor];
    } else if (cur.length > 1 && last.selfSigned) {
      return cur;
    }
    if (cur.length > MAX_DEPTH) return goal.anchors ? null : cur;
    const candidates = issuers(last).filter((c) => !cur.some((p) => p.fingerprint === c.fingerprint) && (!goal.anchors || !c.selfSigned));
    if (candidates.length === 0) deadEnd(last);
    for (const c of candidates) {
      const r = extend([...cur, c]);
      if (r) return r;
    }
    return goal.anchors ? null : cur;
  };
  try {
    return extend(start);
  } catch (e) {
    // Over budget: no path (validation says the chain could not be built, the signer keeps none).
    if (e instanceof SearchBudget) return null;
    throw e;
  }
}

/** The search ran out of its budget. */
class SearchBudget extends Error {}

/** Builds a path to a trusted anchor; returns path null when none exists. */
export async function buildChain(input: ChainInput): Promise<ChainResult> {
  const anchors = views(input.anchors);
  const pool = views(input.pool);
  const fetched: Buffer[] = [];
  const tried = new Set<string>();
  for (;;) {
    const stuck: CertView[] = [];
    const path = search([input.leaf], pool, { anchors }, (c) => stuck.push(c));
    if (path || input.offline) return { path, fetched };
    // No path yet: ask the AIA caIssuers URLs of the certificates that have no known issuer.
    let grew = false;
    for (const url of stuck.flatMap((c) => c.caIssuerUrls)) {
      if (tried.has(url)) continue;
      if (tried.size >= MAX_FETCHES) break;
      tried.add(url);
      try {
        const got = parseCertificates((await fetchBytes(url, { timeoutMs: ONLINE_TIMEOUT_MS, maxBytes: MAX_FETCH_BYTES })).body);
        fetched.push(...got);
        const known = new Set(pool.map((c) => c.fingerprint));
        for (const v of views(got)) {
          if (known.has(v.fingerprint)) continue;
          pool.push(v);
          grew = true;
        }
      } catch {
        // Unreachable, or not a certificate: the path simply stays incomplete.
      }
    }
    if (!grew) return { path: null, fetched };
  }
}

/**
 * The CA chain of a signer's certificate from `pool` (token objects, --chain files), closest
 * issuer first, up to a self-signed root when the pool has it. No anchors, no network.
 */
export function signerChain(certificate: Uint8Array, pool: Uint8Array[]): Buffer[] {
  const leaf = certView(certificate);
  const path = search([leaf], views(pool), { anchors: null }, () => undefined) ?? [leaf];
  return path.slice(1).map((c) => c.der);
}
