import type { MessageBundle } from './types.js';

/** Messages of the bounded HTTP client (main/net): fetching from servers Kyso does not run. */
export const net = {
  vi: {
    'error.netBadUrl': 'Địa chỉ {url} không dùng được (chỉ hỗ trợ http và https).',
    'error.netUnreachable': 'Không kết nối được {url}: {detail}',
    'error.netTimeout': '{url} không trả lời đầy đủ trong {seconds} giây.',
    'error.netHttpStatus': '{url} trả lời lỗi HTTP {status}.',
    'error.netTooLarge': 'Dữ liệu từ {url} lớn hơn giới hạn {limit}; đã dừng tải.',
    'error.netRedirectLimit': '{url} chuyển hướng quá {max} lần.',
    'error.netBadRedirect': '{url} chuyển hướng tới {location}, địa chỉ này bị từ chối.',
    'error.netBadContentType': '{url} trả về dữ liệu loại {type}, cần {expected}.',
  },
  en: {
    'error.netBadUrl': 'The address {url} cannot be used (only http and https are supported).',
    'error.netUnreachable': 'Could not reach {url}: {detail}',
    'error.netTimeout': '{url} gave no complete answer within {seconds} seconds.',
    'error.netHttpStatus': '{url} answered with HTTP error {status}.',
    'error.netTooLarge': 'The answer from {url} is larger than the {limit} limit; the download was stopped.',
    'error.netRedirectLimit': '{url} redirected more than {max} times.',
    'error.netBadRedirect': '{url} redirected to {location}, which was refused.',
    'error.netBadContentType': '{url} sent data of type {type}; {expected} was expected.',
  },
} satisfies MessageBundle;
