/** CK_TOKEN_INFO flag bits (PKCS#11 2.40 section 5.2) turned into named booleans. */
import type { TokenFlags } from './types.js';

const bits = {
  writeProtected: 0x2,
  loginRequired: 0x4,
  userPinInitialized: 0x8,
  protectedAuthPath: 0x100,
  tokenInitialized: 0x400,
  userPinCountLow: 0x10000,
  userPinFinalTry: 0x20000,
  userPinLocked: 0x40000,
  userPinToBeChanged: 0x80000,
  soPinCountLow: 0x100000,
  soPinFinalTry: 0x200000,
  soPinLocked: 0x400000,
  soPinToBeChanged: 0x800000,
} as const satisfies Record<keyof TokenFlags, number>;

/** Decodes CK_TOKEN_INFO.flags. */
export function decodeTokenFlags(flags: number): TokenFlags {
  const out = {} as TokenFlags;
  for (const [name, bit] of Object.entries(bits) as Array<[keyof TokenFlags, number]>) out[name] = (flags & bit) !== 0;
  return out;
}
