/**
 * Certificate path building from a leaf to a trust anchor. Intermediates come from the CMS,
 * the DSS and, when online, the AIA caIssuers URLs. Only anchors end a path.
 */
import { fetchBytes } from '../net/fetch.js';
import { certView, isIssuedBy, parseCertBundle, type CertView } from './cert-view.js';

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
/** Deadline of one AIA fetch while validating. */
const ONLINE_TIMEOUT_MS = 8000;

/** Only CA certificates (basicConstraints cA, keyCertSign when keyUsage is present) may issue. */
function canIssue(c: CertView): boolean {
  return c.isCa && c.canSignCerts;
}

function safeViews(ders: Buffer[]): CertView[] {
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

/** Builds a path to a trusted anchor; returns path null when none exists. */
export async function buildChain(input: ChainInput): Promise<ChainResult> {
  const anchors = safeViews(input.anchors);
  const pool = safeViews(input.pool);
  const fetched: Buffer[] = [];
  const tried = new Set<string>();

  const extend = async (cur: CertView[], depth: number): Promise<CertView[] | null> => {
    const last = cur[cur.length - 1]!;
    // The leaf itself may be an anchor (a self-managed trusted signer).
    const same = anchors.find((a) => a.fingerprint === last.fingerprint);
    if (same) return cur;
    for (const a of anchors) if (canIssue(a) && isIssuedBy(last, a)) return [...cur, a];
    if (depth >= MAX_DEPTH) return null;
    const inPath = new Set(cur.map((c) => c.fingerprint));
    let candidates = pool.filter((c) => !inPath.has(c.fingerprint) && canIssue(c) && isIssuedBy(last, c));
    if (candidates.length === 0 && !input.offline) {
      for (const url of last.caIssuerUrls) {
        if (tried.has(url)) continue;
        tried.add(url);
        try {
          const got = parseCertBundle((await fetchBytes(url, { timeoutMs: ONLINE_TIMEOUT_MS })).body);
          fetched.push(...got);
          pool.push(...safeViews(got));
        } catch {
          // Unreachable, or not a certificate: the path simply stays incomplete.
        }
      }
      candidates = pool.filter((c) => !inPath.has(c.fingerprint) && canIssue(c) && isIssuedBy(last, c));
    }
    for (const c of candidates) {
      // Self-signed certificates that are not anchors never end a path.
      if (c.subject === c.issuer) continue;
      const r = await extend([...cur, c], depth + 1);
      if (r) return r;
    }
    return null;
  };

  const path = await extend([input.leaf], 0);
  return { path, fetched };
}
