/**
 * The VXP header canonicalization against the table of shared/docs/national-axis.md: signed
 * names and order per call, the compact JSON, the HMAC (recomputed by openssl, a tool Kyso
 * did not write), the SDK timestamp, hash-file without leading zeros; and the simulator's
 * own, separately written check accepting exactly what the gateway sends.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VXP_SIGN_ORDER, vxpHashFile, vxpHeaders, vxpSign, vxpTimestamp } from '../../../server/axis/vxp-headers.js';
import { checkSignedCall, REQUIRED_SIGNED } from '../../bed/axis-sim/hmac-check.js';

const SECRET = 'khóa-bí-mật-thử';
const AT = new Date(Date.UTC(2026, 11, 4, 16, 19, 15, 610)); // 04/12/2026 23:19:15.610 in Vietnam

/** HMAC-SHA256 by openssl (lowercase hex). */
function opensslHmac(key: string, message: string): string {
  const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', key], { input: Buffer.from(message, 'utf8') }).toString();
  return out.trim().split(/\s+/).pop()!;
}

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

describe('VXP signed headers', () => {
  it('signs the names of the doc\'s table, in its order, per call', () => {
    expect(VXP_SIGN_ORDER).toEqual({
      getAgenciesList: ['systemid', 'timestamp', 'Content-Type'],
      getReceivedEdocList: ['systemid', 'servicetype', 'messagetype', 'timestamp', 'Content-Type'],
      getEdoc: ['systemid', 'docId', 'filePath', 'timestamp', 'Content-Type'],
      updateStatus: ['systemid', 'docId', 'timestamp', 'Content-Type', 'status'],
      sendEdoc: ['systemid', 'servicetype', 'messagetype', 'hash-file', 'from', 'to', 'timestamp', 'Content-Type'],
      sendStatus: ['systemid', 'messagetype', 'hash-file', 'from', 'timestamp', 'Content-Type'],
    });
    const h = vxpHeaders('updateStatus', { systemId: 'kyso.h99', secret: SECRET, contentType: 'application/json', extra: { docId: 'D1', status: 'done' }, at: AT });
    expect(h['XroadVnpt-sign-header-key']).toBe('systemid;docId;timestamp;Content-Type;status');
    expect(h['XroadVnpt-sign-header']).toBe('{"XroadVnpt-systemid":"kyso.h99","XroadVnpt-docId":"D1","XroadVnpt-timestamp":"04122026T231915+0610","XroadVnpt-Content-Type":"application/json","XroadVnpt-status":"done"}');
    expect(h['XroadVnpt-hash-header']).toBe(opensslHmac(SECRET, h['XroadVnpt-sign-header']!));
    expect(h['XroadVnpt-hash-header']).toMatch(/^[0-9a-f]{64}$/);
    expect(h['XroadVnpt-version']).toBe('3.0.201608');
    expect(h['User-Agent']).toBe('JAVASDKAgent/1.0.0 XRoad/VPCP');
    expect(h['XroadVnpt-Content-Type']).toBe(h['Content-Type']);
  });

  it('writes sendEdoc\'s `to` as a JSON array inside the compact JSON, escaped', () => {
    const to = JSON.stringify([{ code: '000.00.00.K98' }]);
    const h = vxpHeaders('sendEdoc', { systemId: 's', secret: SECRET, contentType: 'application/octet-stream', extra: { servicetype: 'eDoc', messagetype: 'edoc', 'hash-file': 'ab', from: '000.00.00.H99', to }, at: AT });
    expect(h['XroadVnpt-to']).toBe('[{"code":"000.00.00.K98"}]');
    expect(h['XroadVnpt-sign-header']).toContain('"XroadVnpt-to":"[{\\"code\\":\\"000.00.00.K98\\"}]"');
    expect(h['XroadVnpt-hash-header']).toBe(opensslHmac(SECRET, h['XroadVnpt-sign-header']!));
  });

  it('takes another order when a link configures one (the order is not published)', () => {
    const s = vxpSign(['timestamp', 'systemid'], { systemid: 'a', timestamp: 't' }, SECRET);
    expect(s.signHeaderKey).toBe('timestamp;systemid');
    expect(s.signHeader).toBe('{"XroadVnpt-timestamp":"t","XroadVnpt-systemid":"a"}');
    const h = vxpHeaders('getAgenciesList', { systemId: 'a', secret: SECRET, contentType: 'application/json', at: AT, order: ['Content-Type', 'systemid', 'timestamp'] });
    expect(h['XroadVnpt-sign-header-key']).toBe('Content-Type;systemid;timestamp');
  });

  it('timestamp: day month year T hours minutes seconds + 4-digit milliseconds, Vietnam time', () => {
    expect(vxpTimestamp(AT)).toBe('04122026T231915+0610');
    expect(vxpTimestamp(new Date(Date.UTC(2026, 0, 1, 17, 0, 0, 5)))).toBe('02012026T000000+0005');
  });

  it('hash-file: SHA-256 bytes in hex without leading zeros (as openssl\'s digest with each byte\'s leading 0 dropped)', () => {
    // Find bytes whose digest has bytes below 0x10, so the quirk shows.
    let data = Buffer.from('gói edXML 0');
    for (let i = 1; !createHash('sha256').update(data).digest().some((b) => b < 0x10); i++) data = Buffer.from(`gói edXML ${i}`);
    const hex = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: data }).toString().split(' ')[0]!;
    const expected = hex.match(/../g)!.map((p) => p.replace(/^0/, '')).join('');
    expect(vxpHashFile(data)).toBe(expected);
    expect(vxpHashFile(data).length).toBeLessThan(64);
  });

  it('the simulator\'s independent check accepts every call the gateway signs, and refuses tampering', () => {
    const now = new Date();
    for (const call of Object.keys(REQUIRED_SIGNED) as (keyof typeof VXP_SIGN_ORDER)[]) {
      const extra: Record<string, string> = { servicetype: 'eDoc', messagetype: call === 'sendStatus' ? 'status' : 'edoc', docId: 'D', filePath: 'kyso', status: 'done', 'hash-file': vxpHashFile(Buffer.from('x')), from: 'F', to: '[{"code":"T"}]' };
      const ct = call.startsWith('send') ? 'application/octet-stream' : 'application/json';
      const h = lower(vxpHeaders(call, { systemId: 'kyso.h99', secret: SECRET, contentType: ct, extra, at: now }));
      expect(checkSignedCall(call, h, SECRET, { maxSkewMs: 60_000, body: Buffer.from('x') }), call).toBeNull();
      expect(checkSignedCall(call, h, 'other secret', { maxSkewMs: 60_000 })).toMatch(/HMAC/);
      expect(checkSignedCall(call, { ...h, 'xroadvnpt-systemid': 'kyso.h98' }, SECRET, { maxSkewMs: 60_000 })).toMatch(/does not match/);
    }
    const h = lower(vxpHeaders('getAgenciesList', { systemId: 'a', secret: SECRET, contentType: 'application/json', at: now, order: ['timestamp', 'systemid', 'Content-Type'] }));
    expect(checkSignedCall('getAgenciesList', h, SECRET, { maxSkewMs: 60_000 })).toMatch(/signed names/);
    const old = lower(vxpHeaders('getAgenciesList', { systemId: 'a', secret: SECRET, contentType: 'application/json', at: new Date(Date.now() - 3_600_000) }));
    expect(checkSignedCall('getAgenciesList', old, SECRET, { maxSkewMs: 60_000 })).toMatch(/timestamp/);
    const file = lower(vxpHeaders('sendEdoc', { systemId: 'a', secret: SECRET, contentType: 'application/octet-stream', at: now, extra: { servicetype: 'eDoc', messagetype: 'edoc', 'hash-file': vxpHashFile(Buffer.from('x')), from: 'F', to: '[]' } }));
    expect(checkSignedCall('sendEdoc', file, SECRET, { maxSkewMs: 60_000, body: Buffer.from('y') })).toMatch(/hash-file/);
  });
});
