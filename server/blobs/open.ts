/**
 * Builds the blob store a server runs with from `--blobs`: the data directory (default,
 * `local`) or `s3://bucket/prefix`, with the endpoint, region and credentials from the
 * environment (never from the command line, never saved):
 *   KYSO_S3_ENDPOINT    service origin (default https://s3.<region>.amazonaws.com)
 *   AWS_REGION          region (or AWS_DEFAULT_REGION; default us-east-1)
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *                       or a credentials file: KYSO_S3_CREDENTIALS_FILE, AWS_SHARED_CREDENTIALS_FILE
 *                       or ~/.aws/credentials, section AWS_PROFILE (default "default")
 *   KYSO_S3_PATH_STYLE  1 = bucket in the path (default when KYSO_S3_ENDPOINT is set), 0 = in the host
 *   KYSO_S3_CA_FILE     PEM CA trusted for an https endpoint with a private CA
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KysoError } from '../../main/api/errors.js';
import { LocalBlobStore } from './local.js';
import type { S3Settings } from './s3-api.js';
import { S3BlobStore, type S3Tuning } from './s3.js';
import type { BlobStore } from './store.js';

const config = (reason: string) => new KysoError('blobStoreConfig', { reason });

/** A parsed `--blobs` value. */
export type BlobsSpec = { kind: 'local' } | { kind: 's3'; bucket: string; prefix: string };

/** Parses `--blobs` (undefined or `local`: the data directory). */
export function parseBlobsSpec(spec: string | undefined): BlobsSpec {
  if (spec === undefined || spec === '' || spec === 'local') return { kind: 'local' };
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(spec);
  if (!m) throw config(`--blobs must be "local" or s3://bucket/prefix, not "${spec.slice(0, 100)}"`);
  return { kind: 's3', bucket: m[1]!, prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/** Reads one profile of an AWS-style credentials file (INI). */
function credentialsFromFile(file: string, profile: string): S3Settings['credentials'] | undefined {
  if (!existsSync(file)) return undefined;
  let section = '';
  const found: Record<string, string> = {};
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (s) {
      section = s[1]!;
      continue;
    }
    const kv = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line);
    if (kv && section === profile) found[kv[1]!.toLowerCase()] = kv[2]!.trim();
  }
  const id = found.aws_access_key_id;
  const secret = found.aws_secret_access_key;
  if (!id || !secret) return undefined;
  return { accessKeyId: id, secretAccessKey: secret, ...(found.aws_session_token ? { sessionToken: found.aws_session_token } : {}) };
}

const isLoopbackHost = (h: string) => h === 'localhost' || h.startsWith('127.') || h === '[::1]';

/** S3 settings for a bucket from the environment. */
export function s3SettingsFromEnv(bucket: string, env: NodeJS.ProcessEnv = process.env): S3Settings {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const endpoint = env.KYSO_S3_ENDPOINT || `https://s3.${region}.amazonaws.com`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw config(`KYSO_S3_ENDPOINT is not a URL: ${endpoint.slice(0, 100)}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw config(`KYSO_S3_ENDPOINT must be https (plain http only on loopback): ${url.origin}`);
  }
  const file = env.KYSO_S3_CREDENTIALS_FILE || env.AWS_SHARED_CREDENTIALS_FILE || path.join(os.homedir(), '.aws', 'credentials');
  const credentials = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
    : credentialsFromFile(file, env.AWS_PROFILE || 'default');
  if (!credentials) throw config(`no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a credentials file (${file})`);
  const pathStyle = env.KYSO_S3_PATH_STYLE ? env.KYSO_S3_PATH_STYLE === '1' : !!env.KYSO_S3_ENDPOINT;
  const ca = env.KYSO_S3_CA_FILE ? readFileSync(env.KYSO_S3_CA_FILE) : undefined;
  return { endpoint: url.origin, bucket, region, credentials, pathStyle, ...(ca ? { ca } : {}) };
}

/** Opens the blob store of a server (the S3 one is checked to answer before the server starts). */
export async function openBlobStore(spec: string | undefined, dataDir: string, env: NodeJS.ProcessEnv = process.env, tuning?: S3Tuning): Promise<BlobStore> {
  const s = parseBlobsSpec(spec);
  if (s.kind === 'local') return new LocalBlobStore(dataDir);
  return S3BlobStore.open(s3SettingsFromEnv(s.bucket, env), s.prefix, dataDir, tuning);
}
