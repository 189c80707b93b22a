/**
 * What the PIN dialog says after a failed login: the token's own warning state as the core
 * reported it with the error (PIN count low, final try, locked), never a guess.
 */

/** The PIN flags the dialog shows (a subset of CK_TOKEN_INFO's). */
export interface PinFlags {
  userPinCountLow: boolean;
  userPinFinalTry: boolean;
  userPinLocked: boolean;
}

/** The flags a login error code reports, merged over what the token said before. */
export function flagsAfterError<F extends PinFlags>(before: F, code: string): F {
  switch (code) {
    case 'tokenPinLocked':
      return { ...before, userPinLocked: true, userPinFinalTry: false, userPinCountLow: false };
    case 'tokenPinIncorrectFinalTry':
      return { ...before, userPinFinalTry: true, userPinCountLow: false };
    case 'tokenPinIncorrectCountLow':
      return { ...before, userPinCountLow: true, userPinFinalTry: false };
    default:
      return before;
  }
}
