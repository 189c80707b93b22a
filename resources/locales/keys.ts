/**
 * The message keys of the catalogue as types, derived from the bundles themselves: a key
 * added to a bundle is known at once, a typo in an error code is a compile error.
 */
import type { Bundles } from './index.js';

/** The literal keys of a record, without an index signature (verify's generated reason keys). */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] } & string;

/** A key of the catalogue (written out in a bundle; both languages have it: tested). */
export type MessageKey = { [B in keyof Bundles]: KnownKeys<Bundles[B]['en']> }[keyof Bundles];

/** An error code: a key `error.<code>` of the catalogue without its prefix. */
export type ErrorCode = MessageKey extends infer K ? (K extends `error.${infer C}` ? C : never) : never;
