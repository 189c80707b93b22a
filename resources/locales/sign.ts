import type { MessageBundle } from './types.js';

/** Messages of the sign domain. */
export const sign: MessageBundle = {
  vi: {
    'error.certInvalid': 'Chứng thư số không hợp lệ: {detail}',
    'error.cmsInvalid': 'Dữ liệu chữ ký CMS không hợp lệ: {detail}',
    'error.signSchemeUnsupported': 'Khóa hoặc thiết bị ký không hỗ trợ thuật toán {scheme}',
    'error.tsaUnreachable': 'Không kết nối được máy chủ cấp dấu thời gian {url}: {detail}',
    'error.tsaBadResponse': 'Máy chủ cấp dấu thời gian trả lời không hợp lệ: {detail}',
    'error.tsaRejected': 'Máy chủ cấp dấu thời gian từ chối yêu cầu (trạng thái {status}): {detail}',
    'error.tsaNonceMismatch': 'Dấu thời gian không khớp với yêu cầu (nonce hoặc giá trị băm sai); không ghi tệp nào.',
    'error.ocspUnreachable': 'Không kết nối được máy chủ OCSP {url}: {detail}',
    'error.ocspBadResponse': 'Phản hồi OCSP không hợp lệ: {detail}',
    'error.ocspNoUrl': 'Chứng thư số {subject} không có địa chỉ OCSP',
    'error.crlUnreachable': 'Không tải được danh sách thu hồi (CRL) {url}: {detail}',
    'error.crlBadResponse': 'Danh sách thu hồi (CRL) không hợp lệ: {detail}',
  },
  en: {
    'error.certInvalid': 'Invalid certificate: {detail}',
    'error.cmsInvalid': 'Invalid CMS signature data: {detail}',
    'error.signSchemeUnsupported': 'The key or token does not support the {scheme} algorithm',
    'error.tsaUnreachable': 'Could not reach the timestamp server {url}: {detail}',
    'error.tsaBadResponse': 'Invalid answer from the timestamp server: {detail}',
    'error.tsaRejected': 'The timestamp server refused the request (status {status}): {detail}',
    'error.tsaNonceMismatch': 'The timestamp does not match the request (nonce or imprint differs); nothing was written.',
    'error.ocspUnreachable': 'Could not reach the OCSP server {url}: {detail}',
    'error.ocspBadResponse': 'Invalid OCSP response: {detail}',
    'error.ocspNoUrl': 'Certificate {subject} has no OCSP address',
    'error.crlUnreachable': 'Could not download the revocation list (CRL) {url}: {detail}',
    'error.crlBadResponse': 'Invalid revocation list (CRL): {detail}',
  },
};
