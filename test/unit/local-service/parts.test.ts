/**
 * The local signing service's small parts: origins (what counts as the page's site, which
 * hosts a document may come from), the per-origin line and rate limit, the page session as
 * headers (no header injection), the app's consent broker (a stamp must be placed when
 * nothing decided where, a failed approval keeps the question open, a page that goes away
 * closes it), the VNPT-CA reply frame, and the appearance the consent dialog previews.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { servicePromptSchema } from '../../../main/api/contract/service.js';
import { Admission } from '../../../main/local-service/admission.js';
import { AppConsent, type ServicePrompt } from '../../../main/local-service/consent/app.js';
import type { SignQuestion } from '../../../main/local-service/consent/types.js';
import { nameFromUrl } from '../../../main/local-service/documents.js';
import { appearanceFor, previewAppearance, type SignJob } from '../../../main/local-service/jobs.js';
import type { CertChoice } from '../../../main/local-service/tokens.js';
import { canonicalOrigin, parseOrigin, urlAllowedFor } from '../../../main/local-service/origins.js';
import { sessionHeaders } from '../../../main/local-service/upload.js';
import { frame } from '../../../main/local-service/vnpt/protocol.js';
import { KysoError } from '../../../main/api/errors.js';

describe('origins', () => {
  it('takes scheme, host and port only; refuses null and non-web origins', () => {
    expect(canonicalOrigin('https://QLVB.tinh.gov.vn:443')).toBe('https://qlvb.tinh.gov.vn');
    expect(canonicalOrigin('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    for (const bad of ['null', '', 'file:///C:/x.html', 'chrome-extension://abc', 'not a url']) expect(canonicalOrigin(bad)).toBeUndefined();
    expect(() => parseOrigin('https://qlvb.tinh.gov.vn/trang')).toThrow(KysoError);
    expect(parseOrigin('https://qlvb.tinh.gov.vn/')).toBe('https://qlvb.tinh.gov.vn');
  });

  it('lets documents come only from the page\'s own site or hosts the administrator allowed', () => {
    const o = 'http://qlvb.tinh.gov.vn';
    expect(urlAllowedFor(new URL('http://qlvb.tinh.gov.vn/files/a.pdf'), o, [])).toBe(true);
    expect(urlAllowedFor(new URL('https://qlvb.tinh.gov.vn/files/a.pdf'), o, [])).toBe(false);
    expect(urlAllowedFor(new URL('http://qlvb.tinh.gov.vn:8080/a.pdf'), o, [])).toBe(false);
    // user-info tricks do not change the host.
    expect(urlAllowedFor(new URL('http://qlvb.tinh.gov.vn@evil.example/a.pdf'), o, [])).toBe(false);
    expect(urlAllowedFor(new URL('http://files.tinh.gov.vn/a.pdf'), o, ['files.tinh.gov.vn'])).toBe(true);
    expect(urlAllowedFor(new URL('http://files.tinh.gov.vn:9000/a.pdf'), o, ['files.tinh.gov.vn:9000'])).toBe(true);
    expect(urlAllowedFor(new URL('https://files.tinh.gov.vn/a.pdf'), o, ['http://files.tinh.gov.vn'])).toBe(false);
    expect(urlAllowedFor(new URL('file:///etc/passwd'), o, ['*'])).toBe(false);
  });
});

describe('per-origin line', () => {
  it('handles one request, queues a few, refuses the rest; an abort while waiting leaves the line', async () => {
    const a = new Admission({ queue: 2, perMinute: 100 });
    const first = await a.enter('o');
    const waiting = [a.enter('o'), a.enter('o')];
    await expect(a.enter('o')).rejects.toMatchObject({ code: 'serviceTooMany' });
    const abort = new AbortController();
    first();
    const second = await waiting[0]!;
    const third = a.enter('o', abort.signal);
    abort.abort();
    await expect(third).rejects.toMatchObject({ code: 'cancelled' });
    second();
    (await waiting[1]!)();
    expect(a.pending('o')).toBe(0);
  });

  it('counts requests per minute per origin', () => {
    let now = 0;
    const a = new Admission({ queue: 1, perMinute: 3 }, () => now);
    for (let i = 0; i < 3; i++) a.hit('o');
    expect(() => a.hit('o')).toThrow(expect.objectContaining({ code: 'serviceRateLimited' }));
    a.hit('other');
    now = 61_000;
    expect(() => a.hit('o')).not.toThrow();
  });
});

describe('page session and names', () => {
  it('sends SessionId as a cookie and JWTToken as a bearer, dropping values that would inject headers', () => {
    expect(sessionHeaders('abc', 'eyJ.x.y', 'ASP.NET_SessionId')).toEqual({ cookie: 'ASP.NET_SessionId=abc', authorization: 'Bearer eyJ.x.y' });
    expect(sessionHeaders('JSESSIONID=1; other=2', 'Bearer t', 'x')).toEqual({ cookie: 'JSESSIONID=1; other=2', authorization: 'Bearer t' });
    expect(sessionHeaders('a\r\nX-Evil: 1', 't\r\nX: 1', 'x')).toEqual({});
    expect(sessionHeaders('', null, 'x')).toEqual({});
  });

  it('names an uploaded file from the URL or the page\'s label, without path characters', () => {
    expect(nameFromUrl(new URL('http://h/files/C%C3%B4ng%20v%C4%83n.pdf?x=1'))).toBe('Công văn.pdf');
    expect(nameFromUrl(new URL('http://h/a/b'), '..\\..\\x"y.pdf')).toBe('.._.._x_y.pdf');
    expect(nameFromUrl(new URL('http://h/'))).toBe('h');
  });

  it('frames VNPT-CA replies with a callback name that cannot break the split at "*"', () => {
    expect(frame('{"code":0}', 'signCallback')).toBe('{"code":0}*signCallback');
    expect(frame('1', 'a*b(c)')).toBe('1*abc');
    expect(frame('1', null)).toBe('1*callbackDefault');
  });
});

function question(over: Partial<SignQuestion> = {}): SignQuestion {
  return {
    id: 'q1', origin: 'https://o', operation: 'SignApproved', role: 'approval', documents: [], placements: [{ source: 'ask' }], details: {},
    certificates: [], preferred: 'fp', appearances: {}, signal: new AbortController().signal, approve: async () => undefined, ...over,
  };
}

describe('the app\'s consent broker', () => {
  it('needs a placement when nothing decided it; a failed approval keeps the question open', async () => {
    const shown: ServicePrompt[] = [];
    const closed: string[] = [];
    const c = new AppConsent({ prompt: (p) => shown.push(p), closed: (_id, o) => closed.push(o) });
    let tries = 0;
    const answer = c.askSign(question({ approve: async (a) => {
      tries++;
      if (a.pin !== '123456') throw new KysoError('tokenPinIncorrect');
    } }));
    expect(shown).toHaveLength(1);
    await expect(c.answer('q1', { approve: true, pin: '123456' })).rejects.toMatchObject({ code: 'servicePlacementNeeded' });
    await expect(c.answer('q1', { approve: true, pin: '000000', placement: { page: 1, rect: [1, 2, 3, 4] } })).rejects.toMatchObject({ code: 'tokenPinIncorrect' });
    expect(c.pending()).toHaveLength(1);
    await c.answer('q1', { approve: true, pin: '123456', placement: { page: 1, rect: [1, 2, 3, 4] } });
    await expect(answer).resolves.toBe(true);
    expect(tries).toBe(2);
    expect(closed).toEqual(['approved']);
    await expect(c.answer('q1', { approve: false })).rejects.toMatchObject({ code: 'serviceNoPrompt' });
  });

  it('closes a question whose page went away', async () => {
    const closed: string[] = [];
    const c = new AppConsent({ prompt: () => undefined, closed: (_id, o) => closed.push(o) });
    const abort = new AbortController();
    const p = c.askOrigin({ origin: 'https://o', operation: 'SignApproved', whatKey: 'service.op.sign', signal: abort.signal });
    abort.abort();
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(closed).toEqual(['cancelled']);
    expect(c.pending()).toEqual([]);
  });
});

describe('terminal consent (kyso service without a window)', () => {
  it('allows a site on "c"/"y", shows the documents, asks again after a wrong PIN, refuses on an empty line', async () => {
    const { TtyConsent } = await import('../../../main/local-service/consent/tty.js');
    const out: string[] = [];
    const answers = ['c', '000000', '123456', ''];
    const asked: Array<{ q: string; hidden: boolean }> = [];
    const consent = new TtyConsent(() => 'vi', (s) => out.push(s), async (q, o) => {
      asked.push({ q, hidden: o.hidden });
      return answers.shift()!;
    });
    const signal = new AbortController().signal;
    expect(await consent.askOrigin({ origin: 'https://o', operation: 'SignApproved', whatKey: 'service.op.sign', signal })).toBe(true);
    const pins: Array<string | null> = [];
    const q = question({ documents: [{ name: 'a.pdf', url: 'https://o/a.pdf', size: 2048, pages: 3, sha256: 'ab'.repeat(32), path: '/tmp/a.pdf' }], approve: async (a) => {
      pins.push(a.pin);
      if (a.pin !== '123456') throw new KysoError('tokenPinIncorrect');
    } });
    expect(await consent.askSign(q)).toBe(true);
    expect(pins).toEqual(['000000', '123456']);
    expect(out.join('')).toContain('a.pdf: 2 KB, 3 trang, SHA-256 ' + 'ab'.repeat(32));
    expect(out.join('')).toContain('Mã PIN không đúng.');
    expect(asked.slice(1).every((a) => a.hidden)).toBe(true);
    expect(await consent.askSign(question())).toBe(false);
  });

  it('without a terminal refuses instead of waiting for nobody', async () => {
    const { TtyConsent } = await import('../../../main/local-service/consent/tty.js');
    const consent = new TtyConsent(() => 'en', () => undefined, undefined);
    await expect(consent.askOrigin({ origin: 'https://o', operation: 'x', whatKey: 'service.op.sign', signal: new AbortController().signal })).rejects.toMatchObject({ code: 'serviceOriginUnknown' });
  });
});

describe('the consent dialog\'s appearance', () => {
  const fixture = (n: string) => path.resolve('test/fixtures', n);
  const settings = (values: Record<string, string>) => ({ get: (k: string) => values[k], set: () => undefined });
  const cert = (over: Partial<CertChoice> = {}): CertChoice => ({
    module: 'm', token: 't', fingerprint: 'fp', serial: '01', subject: 'CN=Nguyễn Văn An,O=UBND tỉnh A', commonName: 'Nguyễn Văn An', organization: 'UBND tỉnh A',
    issuer: 'CA', notBefore: '', notAfter: '', valid: true, pinPad: false, ...over,
  });
  const job = (role: SignJob['role'], appearance: SignJob['appearance'] = {}) => ({ role, appearance }) as SignJob;
  const images = settings({ 'sign.signatureImage': fixture('signature.png'), 'sign.sealImage': fixture('seal.png') });

  it('is the one signing uses (the request\'s fields, the user\'s images, the organization), named as the engine names the signer', () => {
    const issuing = job('issuing', { documentNumber: '15/QĐ-UBND', documentDate: '22/11/2026' });
    expect(previewAppearance(issuing, cert(), images)).toEqual({ ...appearanceFor(issuing, cert(), images), signerName: 'Nguyễn Văn An' });
    expect(previewAppearance(issuing, cert(), images)).toEqual({
      role: 'issuing', documentNumber: '15/QĐ-UBND', documentDate: '22/11/2026', sealImage: fixture('seal.png'), organization: 'UBND tỉnh A', signerName: 'Nguyễn Văn An',
    });
    // Each certificate its own: another organization, another name.
    expect(previewAppearance(issuing, cert({ organization: 'Sở B', commonName: 'Trần Thị B' }), images)).toMatchObject({ organization: 'Sở B', signerName: 'Trần Thị B' });
    expect(previewAppearance(job('approval'), cert(), images)).toEqual({ role: 'approval', image: fixture('signature.png'), signerName: 'Nguyễn Văn An' });
    // A name the page gives (VNPT-CA "Signer") is what the stamp says.
    expect(previewAppearance(job('approval', { signerName: 'Người ký' }), cert(), settings({}))).toEqual({ role: 'approval', signerName: 'Người ký' });
  });

  it('goes to the dialog with the question', async () => {
    const shown: ServicePrompt[] = [];
    const c = new AppConsent({ prompt: (p) => shown.push(p), closed: () => undefined });
    const appearances = { fp: { role: 'approval' as const, signerName: 'Nguyễn Văn An' } };
    const ctl = new AbortController();
    const answer = c.askSign(question({ appearances, signal: ctl.signal }));
    expect(shown[0]).toMatchObject({ kind: 'sign', appearances });
    expect(servicePromptSchema.parse(shown[0])).toEqual(shown[0]);
    ctl.abort();
    await expect(answer).rejects.toThrow(KysoError);
  });
});
