/**
 * CSV export of the registers for Excel: UTF-8 with a BOM (without it Excel reads Vietnamese
 * as mojibake), CRLF line ends, RFC 4180 quoting, and formula-looking cells defused.
 */
import type { IncomingDoc } from './incoming-repo.js';
import type { OutgoingDetail } from './outgoing-repo.js';

/** The byte order mark Excel needs to detect UTF-8. */
export const BOM = '\uFEFF';

function cell(v: string | number | null | undefined): string {
  let s = v === null || v === undefined ? '' : String(v);
  // A leading = + - @ would run as a formula in Excel (CSV injection); a quote mark keeps it text.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document for Excel: BOM, CRLF, quoting, formula-looking cells defused. */
export function toCsv(header: readonly string[], rows: Array<Array<string | number | null | undefined>>): string {
  return BOM + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Column titles in Vietnamese (the registers are Vietnamese administrative documents). */
const incomingHeader = ['Số đến', 'Năm', 'Ngày đến', 'Ngày vào sổ', 'Cơ quan gửi', 'Mã cơ quan', 'Số', 'Ký hiệu', 'Loại', 'Trích yếu', 'Trạng thái', 'Lý do', 'Kiểm tra chữ ký', 'Mã thông điệp',
  'Chữ ký gói tin', 'Ngày ban hành', 'Nghiệp vụ'];

/** The package signature in the register's words (never "signed" for an unsigned package). */
const signatureWords: Record<IncomingDoc['signatureState'], string> = {
  valid: 'Hợp lệ',
  'valid-weak-algorithm': 'Hợp lệ, thuật toán yếu',
  unsigned: 'Không ký số',
  invalid: 'Không hợp lệ',
};
const bussinessWords = ['Văn bản mới', 'Thu hồi', 'Cập nhật', 'Thay thế'];
const outgoingHeader = ['Năm', 'Ngày tạo', 'Ngày gửi', 'Số', 'Ký hiệu', 'Loại', 'Trích yếu', 'Nơi nhận', 'Trạng thái từng nơi nhận', 'Mã thông điệp'];

/** CSV of the incoming register. */
export function incomingCsv(docs: IncomingDoc[]): string {
  return toCsv(incomingHeader, docs.map((d) => [d.arrivalNumber, d.arrivalYear, d.receivedAt, d.registeredAt, d.fromName, d.fromCode,
    d.number, d.notation, d.type, d.subject, d.statusCode, d.reason, d.validationStatus, d.messageId,
    `${signatureWords[d.signatureState]}${d.signatureAlgorithm ? ` (${d.signatureAlgorithm})` : ''}`, d.promulgationDate,
    `${bussinessWords[d.bussinessDocType] ?? d.bussinessDocType}${d.bussinessReason ? `: ${d.bussinessReason}` : ''}`]));
}

/** CSV of the outgoing register; each recipient's latest status as `CODE:NN` separated by `; `. */
export function outgoingCsv(docs: OutgoingDetail[]): string {
  return toCsv(outgoingHeader, docs.map((d) => [d.year, d.createdAt, d.sentAt, d.number, d.notation, d.type, d.subject,
    d.recipients.join('; '), d.recipients.map((r) => `${r}:${d.latest[r]?.statusCode ?? ''}`).join('; '), d.messageId]));
}
