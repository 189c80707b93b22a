/**
 * The official list of administrative document types and their abbreviations for the
 * notation (Decree 30/2020/NĐ-CP, article 7 and appendix III), e.g. "15/QĐ-UBND". A công văn
 * (official letter) has no type abbreviation: its notation is the body's ("125/UBND-VP").
 */

/** One type: the abbreviation (empty for công văn) and the name as written on documents. */
export interface DocumentType {
  code: string;
  name: string;
}

/** The list, in the decree's order. */
export const DOCUMENT_TYPES: readonly DocumentType[] = [
  { code: 'NQ', name: 'Nghị quyết' },
  { code: 'QĐ', name: 'Quyết định' },
  { code: 'CT', name: 'Chỉ thị' },
  { code: 'QC', name: 'Quy chế' },
  { code: 'QyĐ', name: 'Quy định' },
  { code: 'TC', name: 'Thông cáo' },
  { code: 'TB', name: 'Thông báo' },
  { code: 'HD', name: 'Hướng dẫn' },
  { code: 'CTr', name: 'Chương trình' },
  { code: 'KH', name: 'Kế hoạch' },
  { code: 'PA', name: 'Phương án' },
  { code: 'ĐA', name: 'Đề án' },
  { code: 'DA', name: 'Dự án' },
  { code: 'BC', name: 'Báo cáo' },
  { code: 'BB', name: 'Biên bản' },
  { code: 'TTr', name: 'Tờ trình' },
  { code: 'HĐ', name: 'Hợp đồng' },
  { code: '', name: 'Công văn' },
  { code: 'CĐ', name: 'Công điện' },
  { code: 'GN', name: 'Bản ghi nhớ' },
  { code: 'TTh', name: 'Bản thỏa thuận' },
  { code: 'GUQ', name: 'Giấy ủy quyền' },
  { code: 'GM', name: 'Giấy mời' },
  { code: 'GGT', name: 'Giấy giới thiệu' },
  { code: 'NP', name: 'Giấy nghỉ phép' },
  { code: 'PG', name: 'Phiếu gửi' },
  { code: 'PC', name: 'Phiếu chuyển' },
  { code: 'PB', name: 'Phiếu báo' },
];

/** The notation for a type and the body's abbreviation: "QĐ-UBND", or "UBND-VP" for a công văn. */
export function notationFor(typeName: string, bodyAbbreviation: string): string {
  const t = DOCUMENT_TYPES.find((d) => d.name === typeName);
  const body = bodyAbbreviation.trim();
  if (!t || !t.code) return body;
  return body ? `${t.code}-${body}` : t.code;
}

/** edXML DocumentType/TypeDetail: the type's place in the list (1-based), 0 when not listed. */
export function typeDetailOf(typeName: string): number {
  return DOCUMENT_TYPES.findIndex((d) => d.name === typeName) + 1;
}
