/**
 * Maps PKCS#11 return values (by CKR_ name, as pkcs11js reports them) to Kyso error codes.
 * Kept apart from the worker so the mapping is testable without loading a module.
 */

/** Kyso error code for a CKR_ name; `tokenError` (with the name as a param) when unmapped. */
export function errorCodeForCkr(ckr: string): string {
  switch (ckr) {
    case 'CKR_PIN_INCORRECT':
      return 'tokenPinIncorrect';
    case 'CKR_PIN_LOCKED':
      return 'tokenPinLocked';
    case 'CKR_PIN_LEN_RANGE':
    case 'CKR_PIN_INVALID':
      return 'tokenPinLength';
    case 'CKR_PIN_EXPIRED':
      return 'tokenPinExpired';
    case 'CKR_TOKEN_NOT_PRESENT':
    case 'CKR_DEVICE_REMOVED':
    case 'CKR_SLOT_ID_INVALID':
      return 'tokenRemoved';
    case 'CKR_TOKEN_NOT_RECOGNIZED':
      return 'tokenNotRecognized';
    case 'CKR_USER_NOT_LOGGED_IN':
      return 'tokenNotLoggedIn';
    case 'CKR_MECHANISM_INVALID':
    case 'CKR_MECHANISM_PARAM_INVALID':
    case 'CKR_KEY_FUNCTION_NOT_PERMITTED':
    case 'CKR_KEY_TYPE_INCONSISTENT':
      return 'tokenMechanismUnsupported';
    case 'CKR_FUNCTION_CANCELED':
      return 'cancelled';
    case 'CKR_FUNCTION_NOT_SUPPORTED':
      return 'tokenOperationUnsupported';
    default:
      return 'tokenError';
  }
}

/** Extracts the CKR_ name from an error message of pkcs11js, if any. */
export function ckrName(message: string): string | undefined {
  return /CKR_[A-Z0-9_]+/.exec(message)?.[0];
}
