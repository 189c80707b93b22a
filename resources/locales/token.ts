import type { MessageBundle } from './types.js';

/** Messages of the token domain. */
export const token: MessageBundle = {
  vi: {
    'cli.cmd.token': 'liệt kê và quản lý USB token (PKCS#11)',
    'token.list.none': 'Không tìm thấy mô-đun PKCS#11 nào.',
    'token.list.module': 'Mô-đun: {path}',
    'token.list.moduleInfo': '  Nhà sản xuất: {manufacturer}, phiên bản thư viện {version}',
    'token.list.moduleError': '  Lỗi: {message}',
    'token.list.noToken': '  (không có token)',
    'token.list.token': '  Token "{label}" (số sê-ri {serial}, {manufacturer} {model})',
    'token.list.flags': '    Trạng thái: {flags}',
    'token.list.noCert': '    (không có chứng thư số)',
    'token.list.cert': '    Chứng thư: {subject}',
    'token.list.certIssuer': '      Cấp bởi: {issuer}',
    'token.list.certValidity': '      Hiệu lực: {notBefore} đến {notAfter}',
    'token.list.certKey': '      CKA_ID {keyId}, khóa bí mật: {hasKey}',
    'token.list.expiresSoon': '      CẢNH BÁO: chứng thư hết hạn trong vòng 30 ngày',
    'token.list.expired': '      CẢNH BÁO: chứng thư đã hết hạn',
    'token.yes': 'có',
    'token.no': 'không',
    'token.pinPrompt': 'Nhập mã PIN của token: ',
    'token.usage':
      'Cách dùng: kyso token <lệnh>\n' +
      '  list [--module ĐƯỜNG_DẪN]... [--json] [--login --token NHÃN --pin-env BIẾN|--pin-file TỆP]\n' +
      '  init --label NHÃN [--token NHÃN_CŨ] --so-pin-env BIẾN [--new-pin-env BIẾN]\n' +
      '  set-pin | unblock-pin --token NHÃN --so-pin-env BIẾN --new-pin-env BIẾN\n' +
      '  change-pin --token NHÃN --pin-env BIẾN --new-pin-env BIẾN\n' +
      '  keygen --token NHÃN --type rsa:2048|rsa:3072|ec:p256|ec:p384 --label NHÃN_KHÓA [--id HEX] [--json]\n' +
      '  csr --token NHÃN (--key NHÃN_KHÓA | --id HEX) --subject "CN=...,O=...,C=VN" [-o req.pem]\n' +
      '  import-cert TỆP --token NHÃN [--label NHÃN]\n' +
      '  delete --token NHÃN --id HEX [--what cert|key|all] --confirm HEX\n' +
      '  rename --token NHÃN --id HEX --label NHÃN [--what cert|key|all]\n' +
      '  inventory [--json|--csv] [-o TỆP]\n' +
      'Mã PIN: --pin-env/--pin-file (tương tự --so-pin-*, --new-pin-*) hoặc nhập ẩn trên terminal; không bao giờ là tham số thường.',
    'error.tokenModuleNotFound': 'Không tìm thấy mô-đun PKCS#11: {path}',
    'error.tokenModuleLoadFailed': 'Không nạp được mô-đun PKCS#11 {path}: tệp không phải thư viện PKCS#11 hợp lệ hoặc thiếu trình điều khiển ({detail}).',
    'error.tokenBridgeCrashed': 'Trình điều khiển token ({module}) bị dừng đột ngột. Hãy thử lại; cần nhập lại mã PIN.',
    'error.tokenBridgeClosed': 'Kết nối tới trình điều khiển token ({module}) đã đóng.',
    'error.tokenTimeout': 'Trình điều khiển token ({module}) không phản hồi sau {seconds} giây (thao tác {op}); đã khởi động lại, cần nhập lại mã PIN.',
    'error.tokenNotFound': 'Không tìm thấy token "{token}". Hãy cắm token và thử lại.',
    'error.tokenNotRecognized': 'Token chưa được khởi tạo hoặc không nhận dạng được.',
    'error.tokenPinIncorrect': 'Mã PIN không đúng.',
    'error.tokenPinIncorrectCountLow': 'Mã PIN không đúng. Cảnh báo: số lần thử còn lại ít, nhập sai thêm có thể khóa token.',
    'error.tokenPinIncorrectFinalTry': 'Mã PIN không đúng. Cảnh báo: chỉ còn MỘT lần thử, nhập sai nữa token sẽ bị khóa.',
    'error.tokenPinLocked': 'Mã PIN của token đã bị khóa. Hãy liên hệ bộ phận CNTT để mở khóa bằng mã PIN quản trị (SO PIN).',
    'error.tokenPinLength': 'Độ dài hoặc định dạng mã PIN không hợp lệ cho token này.',
    'error.tokenPinExpired': 'Mã PIN đã hết hạn; hãy đổi mã PIN.',
    'error.tokenPinRequired': 'Cần mã PIN: dùng --pin-env BIẾN, --pin-file TỆP hoặc nhập khi được hỏi trên terminal.',
    'error.tokenPinEnvMissing': 'Biến môi trường {name} (chứa mã PIN) chưa được đặt.',
    'error.tokenPinFileUnreadable': 'Không đọc được tệp mã PIN {path}.',
    'error.tokenPinFileEmpty': 'Dòng đầu của tệp mã PIN {path} trống; chưa gửi gì tới token.',
    'error.tokenRemoved': 'Token đã bị rút ra hoặc không còn khả dụng.',
    'error.tokenNotLoggedIn': 'Chưa đăng nhập token: cần nhập mã PIN trước khi ký.',
    'error.tokenNoPrivateKey': 'Không có khóa bí mật cho chứng thư này trên token (CKA_ID {keyId}).',
    'error.tokenCertificateNotFound': 'Không tìm thấy chứng thư số phù hợp trên token "{token}".',
    'error.tokenMechanismUnsupported': 'Token không hỗ trợ cơ chế ký {mechanism}.',
    'error.tokenKeyTypeUnsupported': 'Khóa trên token không phải khóa RSA hay ECDSA: Kyso không ký được bằng loại khóa này.',
    'error.tokenOperationUnsupported': 'Token không hỗ trợ thao tác này.',
    'error.tokenError': 'Lỗi token: {detail}',
    'error.tokenNoModules': 'Không tìm thấy mô-đun PKCS#11 nào; dùng --module ĐƯỜNG_DẪN.',
    'error.tokenSessionBusy': 'Token "{token}" đang ký một việc khác của người khác; hãy đợi việc đó xong rồi thử lại.',
  },
  en: {
    'cli.cmd.token': 'list and manage USB tokens (PKCS#11)',
    'token.list.none': 'No PKCS#11 module found.',
    'token.list.module': 'Module: {path}',
    'token.list.moduleInfo': '  Manufacturer: {manufacturer}, library version {version}',
    'token.list.moduleError': '  Error: {message}',
    'token.list.noToken': '  (no token)',
    'token.list.token': '  Token "{label}" (serial {serial}, {manufacturer} {model})',
    'token.list.flags': '    State: {flags}',
    'token.list.noCert': '    (no certificate)',
    'token.list.cert': '    Certificate: {subject}',
    'token.list.certIssuer': '      Issued by: {issuer}',
    'token.list.certValidity': '      Valid: {notBefore} to {notAfter}',
    'token.list.certKey': '      CKA_ID {keyId}, private key: {hasKey}',
    'token.list.expiresSoon': '      WARNING: certificate expires within 30 days',
    'token.list.expired': '      WARNING: certificate has expired',
    'token.yes': 'yes',
    'token.no': 'no',
    'token.pinPrompt': 'Token PIN: ',
    'token.usage':
      'Usage: kyso token <command>\n' +
      '  list [--module PATH]... [--json] [--login --token LABEL --pin-env VAR|--pin-file FILE]\n' +
      '  init --label LABEL [--token OLD_LABEL] --so-pin-env VAR [--new-pin-env VAR]\n' +
      '  set-pin | unblock-pin --token LABEL --so-pin-env VAR --new-pin-env VAR\n' +
      '  change-pin --token LABEL --pin-env VAR --new-pin-env VAR\n' +
      '  keygen --token LABEL --type rsa:2048|rsa:3072|ec:p256|ec:p384 --label KEY_LABEL [--id HEX] [--json]\n' +
      '  csr --token LABEL (--key KEY_LABEL | --id HEX) --subject "CN=...,O=...,C=VN" [-o req.pem]\n' +
      '  import-cert FILE --token LABEL [--label LABEL]\n' +
      '  delete --token LABEL --id HEX [--what cert|key|all] --confirm HEX\n' +
      '  rename --token LABEL --id HEX --label LABEL [--what cert|key|all]\n' +
      '  inventory [--json|--csv] [-o FILE]\n' +
      'PINs: --pin-env/--pin-file (likewise --so-pin-*, --new-pin-*) or a hidden prompt on a terminal; never a plain argument.',
    'error.tokenModuleNotFound': 'PKCS#11 module not found: {path}',
    'error.tokenModuleLoadFailed': 'Could not load PKCS#11 module {path}: not a valid PKCS#11 library or a driver is missing ({detail}).',
    'error.tokenBridgeCrashed': 'The token driver ({module}) stopped unexpectedly. Try again; the PIN will be asked again.',
    'error.tokenBridgeClosed': 'The connection to the token driver ({module}) is closed.',
    'error.tokenTimeout': 'The token driver ({module}) did not answer within {seconds} s ({op}); it was restarted and the PIN will be asked again.',
    'error.tokenNotFound': 'Token "{token}" not found. Plug in the token and try again.',
    'error.tokenNotRecognized': 'The token is not initialised or not recognised.',
    'error.tokenPinIncorrect': 'Wrong PIN.',
    'error.tokenPinIncorrectCountLow': 'Wrong PIN. Warning: few tries left; more wrong PINs may lock the token.',
    'error.tokenPinIncorrectFinalTry': 'Wrong PIN. Warning: ONE try left; one more wrong PIN locks the token.',
    'error.tokenPinLocked': 'The token PIN is locked. Ask IT staff to unblock it with the SO PIN.',
    'error.tokenPinLength': 'The PIN length or format is not valid for this token.',
    'error.tokenPinExpired': 'The PIN has expired; change it.',
    'error.tokenPinRequired': 'A PIN is needed: use --pin-env VAR, --pin-file FILE, or type it when asked on a terminal.',
    'error.tokenPinEnvMissing': 'Environment variable {name} (holding the PIN) is not set.',
    'error.tokenPinFileUnreadable': 'Could not read the PIN file {path}.',
    'error.tokenPinFileEmpty': 'The first line of the PIN file {path} is empty; nothing was sent to the token.',
    'error.tokenRemoved': 'The token was removed or is no longer available.',
    'error.tokenNotLoggedIn': 'Not logged in to the token: enter the PIN before signing.',
    'error.tokenNoPrivateKey': 'No private key for this certificate on the token (CKA_ID {keyId}).',
    'error.tokenCertificateNotFound': 'No matching certificate on token "{token}".',
    'error.tokenMechanismUnsupported': 'The token does not support the signing mechanism {mechanism}.',
    'error.tokenKeyTypeUnsupported': 'The key on the token is neither RSA nor ECDSA: Kyso cannot sign with this kind of key.',
    'error.tokenOperationUnsupported': 'The token does not support this operation.',
    'error.tokenError': 'Token error: {detail}',
    'error.tokenNoModules': 'No PKCS#11 module found; use --module PATH.',
    'error.tokenSessionBusy': 'Token "{token}" is busy with another person\'s signing job; wait until it ends, then try again.',
  },
};
