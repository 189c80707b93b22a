/**
 * What the screens show people (issue 14): times in Vietnam time as "05/12/2026 09:15",
 * sizes in KB/MB, output names that do not pile up, the certificate that fits the role, a
 * job's honest title, the notation of a document type.
 */
import { describe, expect, it } from 'vitest';
import { notationFor, typeDetailOf } from '../../../main/api/doc-types.js';
import { bestForRole, certHolder } from '../../../renderer/src/certChoice.js';
import { jobTitleKey } from '../../../renderer/src/jobResult.js';
import { formatSize } from '../../../renderer/src/format.js';
import { formatDate, formatDateTime, formatEdxmlTime, formatIsoDay } from '../../../renderer/src/time.js';
import { defaultOutput } from '../../../renderer/src/outputName.js';

const PERSON = 'UID=CCCD:001080000001, CN=Nguyễn Văn An, title=Phó Chủ tịch, OU=Văn phòng, O=Ủy ban nhân dân tỉnh Thử Nghiệm, ST=Thử Nghiệm, C=VN';
const ORG = 'UID=MST:0100000001, CN=Ủy ban nhân dân tỉnh Thử Nghiệm, O=Ủy ban nhân dân tỉnh Thử Nghiệm, ST=Thử Nghiệm, C=VN';
const cert = (subject: string, keyUsage = ['digitalSignature', 'nonRepudiation'], notAfter = '2030-01-01T00:00:00Z') => ({ subject, keyUsage, notAfter, hasPrivateKey: true });

describe('what people read', () => {
  it('shows times in Vietnam time, day first, minutes, never UTC', () => {
    expect(formatDateTime('2026-12-05T02:15:59Z', 'vi')).toBe('05/12/2026 09:15');
    expect(formatDateTime('2026-12-05T02:15:59Z', 'en')).toBe('05/12/2026 09:15');
    expect(formatDateTime('2026-12-31T17:30:00Z', 'vi', { seconds: true })).toBe('01/01/2027 00:30:00');
    expect(formatDate('2026-12-31T17:30:00Z', 'vi')).toBe('01/01/2027');
    expect(formatIsoDay('2026-12-20')).toBe('20/12/2026');
    expect(formatDateTime('2026-12-05T02:15:59Z', 'vi')).not.toMatch(/UTC|GMT|Z$/);
    // edXML's own dates and trace times (the sender's local time) read the same way.
    expect(formatEdxmlTime('2026/12/08')).toBe('08/12/2026');
    expect(formatEdxmlTime('2026/12/08 03:06:07')).toBe('08/12/2026 03:06');
    expect(formatEdxmlTime('ngày lạ')).toBe('ngày lạ');
  });

  it('gives sizes in KB and MB', () => {
    expect(formatSize(250_880, 'vi')).toBe('245 KB');
    expect(formatSize(1_468_006, 'vi')).toBe('1,4 MB');
    expect(formatSize(1_468_006, 'en')).toBe('1.4 MB');
    expect(formatSize(800, 'vi')).toBe('0,8 KB');
  });

  it('never piles up output suffixes', () => {
    expect(defaultOutput('/a/cong-van.pdf', 'approval')).toBe('/a/cong-van.signed.pdf');
    expect(defaultOutput('/a/cong-van.signed.pdf', 'issuing')).toBe('/a/cong-van.issued.pdf');
    expect(defaultOutput('/a/cong-van.signed.pdf', 'approval')).toBe('/a/cong-van.signed-2.pdf');
    expect(defaultOutput('/a/cong-van.issued.pdf', 'issuing')).toBe('/a/cong-van.issued-2.pdf');
    expect(defaultOutput('/a/cong-van.signed.issued.pdf', 'approval')).toBe('/a/cong-van.signed.pdf');
  });

  it('picks the person for approval and the organization for issuing', () => {
    expect(certHolder(PERSON)).toBe('person');
    expect(certHolder(ORG)).toBe('organization');
    const certs = [cert(ORG), cert(PERSON)];
    expect(bestForRole(certs, 'approval')).toBe(1);
    expect(bestForRole(certs, 'issuing')).toBe(0);
    // A login-only certificate loses to a signing one; an expired one to any valid one.
    expect(bestForRole([cert(PERSON, ['digitalSignature']), cert(PERSON)], 'approval')).toBe(1);
    expect(bestForRole([cert(PERSON, undefined, '2020-01-01T00:00:00Z'), cert(ORG)], 'approval')).toBe(1);
  });

  it('titles a finished job by what happened', () => {
    const r = (...s: Array<'signed' | 'failed' | 'cancelled' | 'skipped'>) => ({ jobId: 'j', cancelled: false, results: s.map((status) => ({ input: 'x', status, warnings: [] })) });
    expect(jobTitleKey(r('failed'))).toBe('ui.job.noneSigned');
    expect(jobTitleKey(r('signed', 'failed'))).toBe('ui.job.partlySigned');
    expect(jobTitleKey(r('signed', 'skipped'))).toBe('ui.job.finished');
    expect(jobTitleKey({ ...r('signed', 'cancelled'), cancelled: true })).toBe('ui.job.cancelled');
  });

  it('suggests the notation from the official list of document types', () => {
    expect(notationFor('Quyết định', 'UBND')).toBe('QĐ-UBND');
    expect(notationFor('Công văn', 'UBND')).toBe('UBND');
    expect(typeDetailOf('Quyết định')).toBe(2);
    expect(typeDetailOf('Không có')).toBe(0);
  });
});

describe('PIN feedback', () => {
  it('shows what the token reported with the failed login', async () => {
    const { flagsAfterError } = await import('../../../renderer/src/pinFeedback.js');
    const f = { userPinCountLow: false, userPinFinalTry: false, userPinLocked: false };
    expect(flagsAfterError(f, 'tokenPinIncorrectCountLow')).toMatchObject({ userPinCountLow: true });
    expect(flagsAfterError(f, 'tokenPinIncorrectFinalTry')).toMatchObject({ userPinFinalTry: true, userPinCountLow: false });
    expect(flagsAfterError(f, 'tokenPinLocked')).toMatchObject({ userPinLocked: true });
    // A plain wrong PIN says nothing more than the token did: no guessed warning.
    expect(flagsAfterError(f, 'tokenPinIncorrect')).toEqual(f);
  });
});
