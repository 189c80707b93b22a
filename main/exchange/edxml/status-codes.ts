/**
 * The Description a status message carries when there is no reason to give: the code's
 * meaning in the Vietnamese sentence form the deployed systems write ("Đã đến - Phần mềm QLVB
 * đã nhận nhưng văn thư chưa xử lý"). These travel on the wire in every language of the app,
 * so they live here, not in the UI catalogue. Only 01's wording is attested in the field
 * samples; the others follow the same "short name - explanation" pattern.
 */
import type { StatusCode } from '../protocol.js';

/** Standard Vietnamese description of each status code. */
export const STATUS_DESCRIPTIONS: Readonly<Record<StatusCode, string>> = {
  '01': 'Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý',
  '02': 'Từ chối tiếp nhận - Văn thư từ chối tiếp nhận văn bản',
  '03': 'Đã tiếp nhận - Văn thư đã vào sổ văn bản đến',
  '04': 'Phân công - Văn bản đã được phân công xử lý',
  '05': 'Đang xử lý - Văn bản đang được xử lý',
  '06': 'Hoàn thành - Văn bản đã được xử lý xong',
  '13': 'Lấy lại - Bên gửi đề nghị lấy lại hoặc cập nhật văn bản',
  '15': 'Đồng ý - Bên nhận đồng ý lấy lại hoặc cập nhật văn bản',
  '16': 'Từ chối - Bên nhận từ chối lấy lại hoặc cập nhật văn bản',
};

/** The Description to write: the reason when one is given, else the code's standard sentence. */
export function statusDescription(code: StatusCode, reason: string): string {
  return reason.trim() ? reason : STATUS_DESCRIPTIONS[code];
}

/** True when a Description is only the standard sentence of its code (no reason of its own). */
export function isStandardDescription(code: StatusCode, description: string): boolean {
  return description.trim() === STATUS_DESCRIPTIONS[code];
}
