import type { MessageBundle } from './types.js';

/** Messages of the inbox server's blob store (server/blobs): local directory or S3 object storage. */
export const blobs = {
  vi: {
    'error.blobStoreConfig': 'Cấu hình kho lưu gói văn bản không đúng: {reason}.',
    'error.blobStoreFailed': 'Kho lưu trữ đối tượng (S3) báo lỗi khi {op}: {code} — {detail}.',
    'error.blobHashMismatch': 'Dữ liệu lưu vào kho không khớp giá trị băm SHA-256 {expected} (tính được {actual}); không có gì được lưu.',
    'error.blobMissing': 'Không tìm thấy gói {sha256} trong kho {where}.',
    'server.swept': 'Đã dọn kho {store}: xem {scanned} gói, xóa {removed} gói không còn được tham chiếu ({bytes} byte), trả lại {restored}, bỏ {partial} lần tải lên dở dang, xử lý {recovered} gói cách ly còn sót.',
    'server.sweepDry': 'Chạy thử trên kho {store}: xem {scanned} gói, {orphans} gói không còn được tham chiếu ({bytes} byte) sẽ bị xóa; chưa xóa gì.',
    'cli.sub.server.sweep': 'dọn các gói không còn được tham chiếu trong kho (một lần)',
    'cli.opt.server.blobs': 'nơi lưu gói: local (thư mục dữ liệu, mặc định) hoặc s3://BUCKET/TIỀN_TỐ (địa chỉ và khóa truy cập lấy từ biến môi trường KYSO_S3_ENDPOINT, AWS_*); được ghi nhớ',
    'cli.opt.server.sweep-interval': 'giây giữa hai lần dọn kho (mặc định 3600; 0 = không dọn)',
    'cli.opt.server.sweep-grace': 'chỉ dọn gói cũ hơn số giây này (mặc định 86400, tối thiểu 600)',
    'cli.opt.server.sweep.grace': 'chỉ dọn gói cũ hơn số giây này (mặc định 86400, tối thiểu 600)',
    'cli.opt.server.sweep.dry-run': 'chỉ báo những gì sẽ bị xóa, không xóa gì',
  },
  en: {
    'error.blobStoreConfig': 'The package store is misconfigured: {reason}.',
    'error.blobStoreFailed': 'The object store (S3) failed during {op}: {code} — {detail}.',
    'error.blobHashMismatch': 'The bytes stored do not match SHA-256 {expected} (got {actual}); nothing was stored.',
    'error.blobMissing': 'Package {sha256} is missing from the store {where}.',
    'server.swept': 'Swept {store}: {scanned} blobs seen, {removed} unreferenced removed ({bytes} bytes), {restored} put back, {partial} unfinished uploads removed, {recovered} left in quarantine handled.',
    'server.sweepDry': 'Dry run on {store}: {scanned} blobs seen, {orphans} unreferenced ({bytes} bytes) would be removed; nothing removed.',
    'cli.sub.server.sweep': 'remove blobs nothing references any more (one sweep)',
    'cli.opt.server.blobs': 'where packages are stored: local (the data directory, default) or s3://BUCKET/PREFIX (endpoint and keys from KYSO_S3_ENDPOINT, AWS_*); remembered',
    'cli.opt.server.sweep-interval': 'seconds between two sweeps of unreferenced blobs (default 3600; 0 = never)',
    'cli.opt.server.sweep-grace': 'sweep only blobs older than this many seconds (default 86400, at least 600)',
    'cli.opt.server.sweep.grace': 'sweep only blobs older than this many seconds (default 86400, at least 600)',
    'cli.opt.server.sweep.dry-run': 'report what would be removed, remove nothing',
  },
} satisfies MessageBundle;
