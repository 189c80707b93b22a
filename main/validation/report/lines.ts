/**
 * The human-readable validation report as styled lines, in Vietnamese or English. The CLI
 * prints them; the PDF report lays them out. One source so both always say the same thing.
 */
import { hasMessage, t, type Lang } from '../../../resources/locales/index.js';
import type { Check, FileResult, Modification, SignatureResult } from '../types.js';

/** One line of the report. */
export interface ReportLine {
  text: string;
  indent: number;
  style: 'title' | 'heading' | 'normal' | 'pass' | 'fail' | 'warn';
}

/** Localized text of a check or modification reason (falls back to the English detail). */
export function reasonText(lang: Lang, code: string, params: Record<string, string | number>, detail: string): string {
  const key = `verify.reason.${code}`;
  // Times in params are ISO 8601 (UTC): show them like every other time of the report.
  const shown = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? humanTime(lang, v) : v]));
  const s = t(lang, key, shown);
  return s === key ? detail : s;
}

function checkLine(lang: Lang, c: Check): ReportLine {
  const mark = c.result === 'pass' ? '✓' : c.result === 'fail' ? '✗' : '!';
  return { text: `${mark} ${t(lang, `verify.check.${c.name}`)}: ${reasonText(lang, c.code, c.params, c.detail)}`, indent: 2, style: c.result };
}

function modLine(lang: Lang, m: Modification): ReportLine {
  const obj = m.object !== undefined ? ` [${m.object}]` : '';
  const status = m.allowed ? t(lang, 'verify.allowed') : t(lang, 'verify.notAllowed');
  return { text: `#${m.revision}${obj}: ${reasonText(lang, m.code, {}, m.detail)} (${status})`, indent: 2, style: m.allowed ? 'normal' : 'fail' };
}

/** A time for people: Vietnam time (UTC+7) in Vietnamese, UTC in English, zone always shown. */
export function humanTime(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (lang === 'vi') return `${new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')} (UTC+7)`;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Lines for one signature. */
export function signatureLines(lang: Lang, s: SignatureResult, index: number): ReportLine[] {
  // The word and the ETSI indication the JSON carries, so both reports say the same thing.
  const ind = `${t(lang, `verify.indication.${s.indication}`)} (${s.indication}${s.subIndication ? ` / ${s.subIndication}` : ''})`;
  const day = (iso: string | null | undefined): string => humanTime(lang, iso);
  const style = s.indication === 'TOTAL_PASSED' ? 'pass' : s.indication === 'TOTAL_FAILED' ? 'fail' : 'warn';
  const out: ReportLine[] = [{ text: `[${index}] ${t(lang, `verify.kind.${s.kind}`)} "${s.field}": ${ind}`, indent: 0, style }];
  if (s.subIndication) out.push({ text: t(lang, `verify.sub.${s.subIndication}`), indent: 1, style });
  const line = (key: string, value: string): void => void out.push({ text: `${t(lang, key)}: ${value}`, indent: 1, style: 'normal' });
  line('verify.signer', s.signer ?? '-');
  line('verify.issuer', s.issuingCa ?? '-');
  line('verify.time', `${day(s.signingTime)} (${t(lang, `verify.timeSource.${s.timeSource}`)})`);
  if (s.kind === 'signature') line('verify.level', s.level ?? '-');
  line('verify.coverage', t(lang, s.coversWholeDocument ? 'verify.coverage.whole' : 'verify.coverage.partial'));
  if (s.signerCert) line('verify.certPeriod', `${day(s.signerCert.notBefore)} – ${day(s.signerCert.notAfter)}`);
  const rev = s.revocation;
  const revText = `${t(lang, `verify.revocation.${rev.status}`)}${rev.source !== 'none' ? ` (${rev.source}${rev.time ? `, ${day(rev.time)}` : ''})` : ''}${rev.revokedAt ? ` ${day(rev.revokedAt)}` : ''}`;
  out.push({ text: `${t(lang, 'verify.revocation')}: ${revText}`, indent: 1, style: rev.status === 'good' ? 'normal' : 'warn' });
  out.push({ text: t(lang, 'verify.checks'), indent: 1, style: 'heading' });
  for (const c of s.checks) out.push(checkLine(lang, c));
  if (s.modifications.length) {
    out.push({ text: t(lang, 'verify.modifications'), indent: 1, style: 'heading' });
    for (const m of s.modifications) out.push(modLine(lang, m));
  }
  return out;
}

/** Lines for one file (its error, or every signature). */
export function fileLines(lang: Lang, f: FileResult): ReportLine[] {
  const out: ReportLine[] = [{ text: `${t(lang, 'verify.report.file')}: ${f.file}`, indent: 0, style: 'heading' }];
  if (f.error) {
    const { code, params, detail } = f.error;
    // The error in the report's language when Kyso has a message for it, else the detail.
    const text = params && hasMessage(lang, `error.${code}`) ? t(lang, `error.${code}`, params) : t(lang, 'verify.fileError', { detail });
    out.push({ text, indent: 1, style: 'fail' });
    return out;
  }
  if (f.signatures.length === 0) {
    out.push({ text: t(lang, 'verify.noSignature'), indent: 1, style: 'warn' });
    return out;
  }
  for (const n of f.notes ?? []) {
    const key = `verify.note.${n.code}`;
    out.push({ text: `! ${hasMessage(lang, key) ? t(lang, key, n.params) : n.detail}`, indent: 1, style: 'warn' });
  }
  const passed = f.signatures.filter((s) => s.indication === 'TOTAL_PASSED').length;
  out.push({ text: `${t(lang, 'verify.report.summary')}: ${t(lang, 'verify.summary', { passed, total: f.signatures.length })}`, indent: 1, style: passed === f.signatures.length ? 'pass' : 'fail' });
  f.signatures.forEach((s, i) => out.push(...signatureLines(lang, s, i + 1)));
  return out;
}
