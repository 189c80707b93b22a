/**
 * The blob store in S3-compatible object storage: <prefix>blobs/<sha256>. A blob is written
 * as a multipart upload at its final key, hashed while it streams, and completed (made
 * visible, atomically) only when the hash matches; a mismatch or any failure aborts it, so
 * nothing is ever visible under a wrong id. Small blobs are one PUT whose signed SHA-256 is
 * the id itself, so S3 also refuses bytes that do not match. Memory: at most
 * (queue + 1) parts. The sweeper's quarantine is <prefix>trash/.
 */
import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isKysoError } from '../../main/api/errors.js';
import { sweepScratch } from './local.js';
import { S3Api, type S3Settings } from './s3-api.js';
import { blobMissing, checkBlobId, chunksOf, hashMismatch, type BlobInfo, type BlobSource, type BlobStore, type Quarantined } from './store.js';

/** Tuning of uploads (tests make parts small). */
export interface S3Tuning {
  /** Bytes per part (S3's minimum is 5 MiB, except the last part); default 8 MiB. */
  partSize?: number;
  /** Parts uploading at once; default 2. */
  queue?: number;
}

const MIB = 1 << 20;
const MAX_PARTS = 10_000;
const MAX_COPY_BYTES = 5 * 1024 * MIB;

/** Blob store in one bucket under one key prefix. */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  readonly location: string;
  readonly scratchDir: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queue: number;

  constructor(
    readonly api: S3Api,
    prefix: string,
    dataDir: string,
    tuning: S3Tuning = {},
  ) {
    this.prefix = prefix.replace(/^\/+|\/+$/g, '') ? prefix.replace(/^\/+|\/+$/g, '') + '/' : '';
    this.location = `s3://${api.settings.bucket}/${this.prefix}`;
    this.scratchDir = path.join(dataDir, 'tmp');
    mkdirSync(this.scratchDir, { recursive: true });
    this.partSize = Math.max(5 * MIB, tuning.partSize ?? 8 * MIB);
    this.queue = Math.max(1, tuning.queue ?? 2);
  }

  /** Opens a store and checks that its bucket answers (bad credentials fail at start, not at the first upload). */
  static async open(settings: S3Settings, prefix: string, dataDir: string, tuning?: S3Tuning): Promise<S3BlobStore> {
    const api = new S3Api(settings);
    await api.headBucket();
    return new S3BlobStore(api, prefix, dataDir, tuning);
  }

  scratchPath(): string {
    return path.join(this.scratchDir, randomUUID());
  }

  private key(sha256: string): string {
    return `${this.prefix}blobs/${checkBlobId(sha256)}`;
  }

  async stat(sha256: string): Promise<BlobInfo | undefined> {
    const o = await this.api.head(this.key(sha256));
    return o && { sha256, size: o.size, modified: o.modified };
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== undefined;
  }

  async put(source: BlobSource, sha256: string, sizeHint?: number): Promise<{ created: boolean }> {
    const key = this.key(sha256);
    if (await this.exists(sha256)) return { created: false };
    const partSize = Math.max(this.partSize, Math.ceil((sizeHint ?? 0) / MAX_PARTS));
    const hash = createHash('sha256');
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let uploadId: string | undefined;
    const etags: string[] = [];
    const inflight = new Set<Promise<void>>();
    let failed: unknown;
    const sendPart = async (body: Buffer) => {
      uploadId ??= await this.api.createUpload(key);
      const id = uploadId;
      const n = etags.length + 1;
      etags.push('');
      const p = this.api.uploadPart(key, id, n, body).then(
        (etag) => void (etags[n - 1] = etag),
        (e: unknown) => void (failed ??= e),
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      while (inflight.size >= this.queue) await Promise.race(inflight);
      if (failed) throw failed;
    };
    try {
      for await (const c of chunksOf(source)) {
        hash.update(c);
        pending.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
        pendingBytes += c.byteLength;
        if (pendingBytes >= partSize) {
          const body = Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
          await sendPart(body);
        }
      }
      const last = Buffer.concat(pending, pendingBytes);
      pending = [];
      const actual = hash.digest('hex');
      if (uploadId === undefined) {
        if (actual !== sha256) throw hashMismatch(sha256, actual);
        await this.api.put(key, last, sha256);
        return { created: true };
      }
      if (pendingBytes > 0) await sendPart(last);
      await Promise.all(inflight);
      if (failed) throw failed;
      if (actual !== sha256) throw hashMismatch(sha256, actual);
      try {
        await this.api.completeUpload(key, uploadId, etags);
      } catch (e) {
        // The answer to a completed upload can be lost: the object is then there.
        if (!isKysoError(e) || e.code !== 'blobStoreFailed' || !(await this.exists(sha256))) throw e;
      }
      uploadId = undefined;
      return { created: true };
    } catch (e) {
      await Promise.allSettled(inflight);
      if (uploadId) await this.api.abortUpload(key, uploadId).catch(() => undefined);
      throw e;
    }
  }

  async putFile(file: string, sha256: string): Promise<{ created: boolean }> {
    const { size } = await stat(file);
    return this.put(createReadStream(file, { highWaterMark: MIB }), sha256, size);
  }

  async get(sha256: string): Promise<Readable> {
    const s = await this.api.get(this.key(sha256));
    if (!s) throw blobMissing(sha256, this.location);
    return s;
  }

  async delete(sha256: string): Promise<void> {
    await this.api.delete(this.key(sha256));
  }

  async *list(): AsyncIterable<BlobInfo> {
    const dir = `${this.prefix}blobs/`;
    for await (const o of this.api.list(dir)) {
      const name = o.key.slice(dir.length);
      if (/^[0-9a-f]{64}$/.test(name)) yield { sha256: name, size: o.size, modified: o.modified };
    }
  }

  async quarantine(sha256: string, unmodifiedSince: Date): Promise<Quarantined | undefined> {
    const token = `${this.prefix}trash/${sha256}.${randomUUID()}`;
    // One-request copies stop at 5 GiB: larger blobs are never moved aside (nor swept).
    if (((await this.stat(sha256))?.size ?? 0) > MAX_COPY_BYTES) return undefined;
    // Copied only when not written since the sweeper listed it (S3 has no rename).
    if (!(await this.api.copy(this.key(sha256), token, unmodifiedSince))) return undefined;
    await this.api.delete(this.key(sha256));
    return { sha256, token, since: new Date() };
  }

  async restore(q: Quarantined): Promise<void> {
    if (!(await this.exists(q.sha256))) await this.api.copy(q.token, this.key(q.sha256));
    await this.discard(q);
  }

  async discard(q: Quarantined): Promise<void> {
    await this.api.delete(q.token);
  }

  async *listQuarantined(): AsyncIterable<Quarantined> {
    const dir = `${this.prefix}trash/`;
    for await (const o of this.api.list(dir)) {
      const m = /^([0-9a-f]{64})\.[0-9a-f-]{36}$/.exec(o.key.slice(dir.length));
      if (m) yield { sha256: m[1]!, token: o.key, since: o.modified };
    }
  }

  async sweepPartial(before: Date): Promise<number> {
    let n = await sweepScratch(this.scratchDir, before);
    for await (const u of this.api.uploads(`${this.prefix}blobs/`)) {
      if (u.initiated >= before) continue;
      await this.api.abortUpload(u.key, u.uploadId);
      n++;
    }
    return n;
  }
}
