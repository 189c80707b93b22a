import type { MessageBundle } from './types.js';

/** Messages of the exchange domain (and of the local store it owns). */
export const exchange: MessageBundle = {
  vi: {
    'error.storeTooNew': 'Cơ sở dữ liệu ở phiên bản {version}, mới hơn phiên bản ứng dụng hỗ trợ ({supported}). Hãy cập nhật Kyso.',
  },
  en: {
    'error.storeTooNew': 'The database is at version {version}, newer than this app supports ({supported}). Please update Kyso.',
  },
};
