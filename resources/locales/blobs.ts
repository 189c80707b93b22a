import type { MessageBundle } from './types.js';

/** Messages of the inbox server's blob store (server/blobs): local directory or S3 object storage. */
export const blobs: MessageBundle = {
  vi: {
    'error.blobStoreConfig': 'Cấu hình kho lưu gói văn bản không đúng: {reason}.',
    'error.blobStoreFailed': 'Kho lưu trữ đối tượng (S3) báo lỗi khi {op}: {code} — {detail}.',
    'error.blobHashMismatch': 'Dữ liệu lưu vào kho không khớp giá trị băm SHA-256 {expected} (tính được {actual}); không có gì được lưu.',
    'error.blobMissing': 'Không tìm thấy gói {sha256} trong kho {where}.',
    'server.swept': 'Đã dọn kho {store}: xem {scanned} gói, xóa {removed} gói không còn được tham chiếu ({bytes} byte), trả lại {restored}, bỏ {partial} lần tải lên dở dang, xử lý {recovered} gói cách ly còn sót.',
    'server.sweepDry': 'Chạy thử trên kho {store}: xem {scanned} gói, {orphans} gói không còn được tham chiếu ({bytes} byte) sẽ bị xóa; chưa xóa gì.',
  },
  en: {
    'error.blobStoreConfig': 'The package store is misconfigured: {reason}.',
    'error.blobStoreFailed': 'The object store (S3) failed during {op}: {code} — {detail}.',
    'error.blobHashMismatch': 'The bytes stored do not match SHA-256 {expected} (got {actual}); nothing was stored.',
    'error.blobMissing': 'Package {sha256} is missing from the store {where}.',
    'server.swept': 'Swept {store}: {scanned} blobs seen, {removed} unreferenced removed ({bytes} bytes), {restored} put back, {partial} unfinished uploads removed, {recovered} left in quarantine handled.',
    'server.sweepDry': 'Dry run on {store}: {scanned} blobs seen, {orphans} unreferenced ({bytes} bytes) would be removed; nothing removed.',
  },
};
