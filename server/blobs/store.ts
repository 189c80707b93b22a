/**
 * The inbox server's blob store: packages and status messages, content-addressed by their
 * SHA-256. One interface over a local directory (the default) and S3-compatible object
 * storage; both stream in and out with bounded memory, refuse bytes that do not hash to the
 * claimed id (nothing becomes visible then) and are idempotent (a blob that exists is kept).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { KysoError } from '../../main/api/errors.js';

/** What a store knows about one blob. */
export interface BlobInfo {
  sha256: string;
  size: number;
  /** When it was written (the sweeper's grace period counts from here). */
  modified: Date;
}

/** A blob moved aside by the sweeper, until it is put back or dropped. */
export interface Quarantined {
  sha256: string;
  /** Store-specific handle (a file or a key). */
  token: string;
  /** When it was moved aside. */
  since: Date;
}

/** Bytes to store: a stream (request body, file) or bytes in memory (small status messages). */
export type BlobSource = AsyncIterable<Uint8Array> | Uint8Array;

/** The operations the server and the sweeper need of a store. */
export interface BlobStore {
  /** `local` or `s3`, for logs and metrics. */
  readonly kind: 'local' | 's3';
  /** Where this store is (a path or s3://bucket/prefix), for logs; never a credential. */
  readonly location: string;
  /**
   * This instance's local scratch directory (DATA/tmp) where uploads are verified before they
   * are stored; on the local store it is on the blobs' filesystem.
   */
  readonly scratchDir: string;
  /** A fresh path in the scratch directory. */
  scratchPath(): string;
  /**
   * Stores bytes under their SHA-256, verified while streaming: a mismatch is refused
   * (blobHashMismatch) and leaves nothing visible. When the blob already exists the source is
   * not read and `created` is false.
   */
  put(source: BlobSource, sha256: string): Promise<{ created: boolean }>;
  /** Like put, from a file the caller keeps (the file is read, never moved). */
  putFile(file: string, sha256: string): Promise<{ created: boolean }>;
  /** Streams a blob; blobMissing when it is not there. */
  get(sha256: string): Promise<Readable>;
  /** Size and time of a blob, or undefined. */
  stat(sha256: string): Promise<BlobInfo | undefined>;
  /** True when the blob is stored. */
  exists(sha256: string): Promise<boolean>;
  /** Removes a blob (no error when it is not there). */
  delete(sha256: string): Promise<void>;
  /** Every blob, in no particular order. */
  list(): AsyncIterable<BlobInfo>;
  /**
   * Moves a blob aside for the sweeper, only when it was not written after `unmodifiedSince`;
   * undefined when it is not there or newer.
   */
  quarantine(sha256: string, unmodifiedSince: Date): Promise<Quarantined | undefined>;
  /** Puts a quarantined blob back (unless a new copy was stored meanwhile) and forgets it. */
  restore(q: Quarantined): Promise<void>;
  /** Drops a quarantined blob. */
  discard(q: Quarantined): Promise<void>;
  /** Blobs left in quarantine by a sweeper that died. */
  listQuarantined(): AsyncIterable<Quarantined>;
  /** Removes unfinished writes (temp files, multipart uploads) begun before `before`; returns how many. */
  sweepPartial(before: Date): Promise<number>;
}

/** A blob id: 64 lower-case hex digits. */
export function checkBlobId(sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new KysoError('exBadRequest', { reason: 'bad blob id' });
  return sha256;
}

/** The refusal of bytes that do not hash to the id they were stored under. */
export function hashMismatch(expected: string, actual: string): KysoError {
  return new KysoError('blobHashMismatch', { expected, actual });
}

/** The error for a blob a caller expected to exist. */
export function blobMissing(sha256: string, where: string): KysoError {
  return new KysoError('blobMissing', { sha256, where });
}

/** The source as chunks (bytes in memory are one chunk). */
export async function* chunksOf(source: BlobSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) yield source;
  else yield* source;
}

/** SHA-256 of bytes in memory, hex. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
