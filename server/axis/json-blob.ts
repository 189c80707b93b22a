/**
 * Reads a JSON answer whose one top-level string field carries a whole edXML package in
 * base64 (VXP getEdoc, LGSP GET vanbans/{docId}) without holding the package in memory:
 * the field is base64-decoded straight into a file while it streams in (JSON escapes such
 * as `\/`, `\u003d` and `\r\n` resolved), and the rest of the object (small) is parsed with
 * JSON.parse for the caller's zod schema. The raw answer is hashed on the way (an answer
 * signature may cover it).
 */
import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { Base64Decoder } from '../../main/exchange/edxml/base64.js';
import { closeSink, endSink, openSink, writeChunk } from '../../main/exchange/edxml/sink.js';

/** What was read: the other fields, the decoded blob (when the field was a string), the raw hash. */
export interface JsonBlobResult {
  fields: Record<string, unknown>;
  blob?: { bytes: number; sha256: string };
  /** SHA-256 of the raw answer bytes. */
  rawSha256: Buffer;
}

/** Why an answer could not be read (the caller turns it into its own error). */
export class JsonBlobError extends Error {}

const MAX_REST = 1 << 20;
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
type State = 'start' | 'key' | 'keystr' | 'colon' | 'value-start' | 'value' | 'blob' | 'after' | 'end';

/**
 * Streams `body` (a JSON object) and decodes `field` into `dest`, at most `maxBytes` decoded
 * bytes. On any failure `dest` is removed and a JsonBlobError (or the stream's own error) is thrown.
 */
export async function readJsonBlob(body: AsyncIterable<Buffer>, field: string, dest: string, maxBytes: number): Promise<JsonBlobResult> {
  const raw = createHash('sha256');
  const out = openSink(dest);
  const digest = createHash('sha256');
  const decoder = new Base64Decoder();
  let rest: number[] = [];
  let restLen = 0;
  let state: State = 'start';
  let key: number[] = [];
  let keyEscape = false;
  let depth = 0;
  let inStr = false;
  let escape = false;
  let blobBytes = 0;
  let hadBlob = false;
  let pending = ''; // base64 text not yet handed to the decoder
  let uni: string | null = null; // \uXXXX being read inside the blob
  let blobEscape = false;

  const keep = (b: number) => {
    if (++restLen > MAX_REST) throw new JsonBlobError('answer fields too large');
    rest.push(b);
  };
  const keepStr = (s: string) => {
    for (const b of Buffer.from(s, 'utf8')) keep(b);
  };
  const flush = async (force = false) => {
    if (!pending || (!force && pending.length < 65536)) return;
    let bytes: Buffer;
    try {
      bytes = decoder.push(pending);
    } catch (e) {
      throw new JsonBlobError(`package field: ${(e as Error).message}`);
    }
    pending = '';
    blobBytes += bytes.length;
    if (blobBytes > maxBytes) throw new JsonBlobError(`package larger than ${maxBytes} bytes`);
    digest.update(bytes);
    if (bytes.length) await writeChunk(out, bytes);
  };

  try {
    for await (const chunk of body) {
      raw.update(chunk);
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i]!;
        switch (state) {
          case 'start':
            if (WS.has(b)) break;
            if (b !== 0x7b) throw new JsonBlobError('answer is not a JSON object');
            keep(b);
            state = 'key';
            break;
          case 'key':
            if (WS.has(b)) break;
            if (b === 0x22) {
              state = 'keystr';
              key = [];
              keyEscape = false;
            } else if (b === 0x7d && rest[rest.length - 1] === 0x7b) {
              keep(b);
              state = 'end';
            } else throw new JsonBlobError('bad JSON object key');
            break;
          case 'keystr':
            if (!keyEscape && b === 0x22) state = 'colon';
            else {
              keyEscape = !keyEscape && b === 0x5c;
              key.push(b);
              if (key.length > 1000) throw new JsonBlobError('key too long');
            }
            break;
          case 'colon':
            if (WS.has(b)) break;
            if (b !== 0x3a) throw new JsonBlobError('bad JSON: expected ":"');
            state = 'value-start';
            break;
          case 'value-start': {
            if (WS.has(b)) break;
            const name = Buffer.from(key).toString('utf8');
            if (b === 0x22 && name === field) {
              if (hadBlob) throw new JsonBlobError(`duplicate ${field}`);
              hadBlob = true;
              keepStr(`${JSON.stringify(name)}:null`);
              state = 'blob';
              break;
            }
            keepStr(`"${Buffer.from(key).toString('utf8')}":`);
            state = 'value';
            depth = 0;
            inStr = false;
            escape = false;
            i--; // re-read this byte as the value's first
            break;
          }
          case 'value':
            if (inStr) {
              keep(b);
              if (escape) escape = false;
              else if (b === 0x5c) escape = true;
              else if (b === 0x22) inStr = false;
              break;
            }
            if (depth === 0 && (b === 0x2c || b === 0x7d)) {
              state = 'after';
              i--;
              break;
            }
            keep(b);
            if (b === 0x22) inStr = true;
            else if (b === 0x7b || b === 0x5b) depth++;
            else if (b === 0x7d || b === 0x5d) depth--;
            if (depth < 0) throw new JsonBlobError('bad JSON nesting');
            break;
          case 'blob':
            if (uni !== null) {
              uni += String.fromCharCode(b);
              if (uni.length === 4) {
                if (!/^[0-9a-fA-F]{4}$/.test(uni)) throw new JsonBlobError('bad \\u escape');
                pending += String.fromCharCode(parseInt(uni, 16));
                uni = null;
              }
            } else if (blobEscape) {
              blobEscape = false;
              if (b === 0x75) uni = '';
              else if (b === 0x2f) pending += '/';
              else if (b === 0x6e || b === 0x72 || b === 0x74) pending += ' ';
              else throw new JsonBlobError('unexpected escape in the package field');
            } else if (b === 0x5c) blobEscape = true;
            else if (b === 0x22) {
              await flush(true);
              try {
                decoder.end();
              } catch (e) {
                throw new JsonBlobError(`package field: ${(e as Error).message}`);
              }
              state = 'after';
            } else {
              // The plain run up to the next escape or quote, in one piece.
              let j = i;
              while (j < chunk.length && chunk[j] !== 0x5c && chunk[j] !== 0x22) j++;
              pending += chunk.toString('latin1', i, j);
              i = j - 1;
              if (pending.length >= 65536) await flush();
            }
            break;
          case 'after':
            if (WS.has(b)) break;
            if (b === 0x2c) {
              keep(b);
              state = 'key';
            } else if (b === 0x7d) {
              keep(b);
              state = 'end';
            } else throw new JsonBlobError('bad JSON: expected "," or "}"');
            break;
          case 'end':
            if (!WS.has(b)) throw new JsonBlobError('data after the JSON object');
            break;
        }
      }
    }
    if (state !== 'end') throw new JsonBlobError('answer ends before the JSON object does');
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.from(rest).toString('utf8'));
    } catch (e) {
      throw new JsonBlobError(`bad JSON: ${(e as Error).message.slice(0, 120)}`);
    }
    rest = [];
    await endSink(out);
    if (!hadBlob) await unlink(dest).catch(() => undefined);
    return { fields: fields as Record<string, unknown>, ...(hadBlob ? { blob: { bytes: blobBytes, sha256: digest.digest('hex') } } : {}), rawSha256: raw.digest() };
  } catch (e) {
    await closeSink(out);
    await unlink(dest).catch(() => undefined);
    throw e;
  }
}
