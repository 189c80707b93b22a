/**
 * The pieces of the ops and notice plumbing on their own: the Prometheus text format (escaped
 * labels, cumulative buckets, +Inf, a failing gauge hook as NaN), notices between instances
 * (round trip, anything else ignored, no room for a token), request ids.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { decodeNotice, encodeNotice, type Notice } from '../../../server/bus.js';
import { requestIdOf, logPath } from '../../../server/ops/log.js';
import { Counter, Gauge, Histogram, ServerMetrics } from '../../../server/ops/metrics.js';

describe('metrics text', () => {
  it('counters and histograms in the exposition format', async () => {
    const c = new Counter('kyso_x_total', 'X.');
    c.inc({ route: '/a"b\\c\nd' });
    c.inc({ route: '/a"b\\c\nd' }, 2);
    expect(c.render()).toEqual(['# HELP kyso_x_total X.', '# TYPE kyso_x_total counter', 'kyso_x_total{route="/a\\"b\\\\c\\nd"} 3']);
    const h = new Histogram('kyso_h_seconds', 'H.', [0.1, 1]);
    for (const v of [0.05, 0.5, 5]) h.observe({ route: 'r' }, v);
    expect(h.render()).toEqual([
      '# HELP kyso_h_seconds H.', '# TYPE kyso_h_seconds histogram',
      'kyso_h_seconds_bucket{route="r",le="0.1"} 1', 'kyso_h_seconds_bucket{route="r",le="1"} 2', 'kyso_h_seconds_bucket{route="r",le="+Inf"} 3',
      'kyso_h_seconds_sum{route="r"} 5.55', 'kyso_h_seconds_count{route="r"} 3',
    ]);
    const g = new Gauge('kyso_g', 'G.');
    g.from(() => {
      throw new Error('queue table gone');
    });
    expect(await g.render()).toContain('kyso_g NaN');
    const all = await new ServerMetrics().render();
    // Every sample line: name{labels} value; every metric has HELP and TYPE first.
    for (const line of all.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) [a-z_0-9]+ .+|[a-z_0-9]+(\{[^}]*\})? (-?[0-9.e+-]+|NaN|\+Inf))$/);
  });
});

describe('notices between instances', () => {
  it('round-trip, and unknown payloads are ignored', () => {
    const ns: Notice[] = [
      { kind: 'inbox', org: '000.00.01.H49' }, { kind: 'status', org: '000.00.00.H49' }, { kind: 'user', userId: 12, certSha256: 'ab'.repeat(32) },
      { kind: 'user', userId: 3, certSha256: null }, { kind: 'session', tokenSha256: 'cd'.repeat(32) }, { kind: 'trust' },
    ];
    for (const n of ns) expect(decodeNotice(encodeNotice(n))).toEqual(n);
    for (const p of ['', 'z 1', 'u x', 'i', '{"org":"x"}']) expect(decodeNotice(p)).toBeUndefined();
  });
});

describe('request ids', () => {
  const req = (id?: string) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as unknown as IncomingMessage;
  it('a trusted proxy\'s sane id is kept; anyone else\'s, or a strange one, replaced', () => {
    expect(requestIdOf(req('nginx-4f2a'), true)).toBe('nginx-4f2a');
    expect(requestIdOf(req('nginx-4f2a'), false)).not.toBe('nginx-4f2a');
    expect(requestIdOf(req('a b'), true)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdOf(req('x'.repeat(129)), true)).toMatch(/^[0-9a-f-]{36}$/);
  });
  it('log paths carry no query string', () => {
    expect(logPath('/api/v1/events?ticket=SECRET')).toBe('/api/v1/events');
  });
});
