/**
 * `--blobs` and the S3 settings from the environment: the spec's grammar, credentials from the
 * environment or an AWS-style credentials file (profile), plain http refused off loopback,
 * path-style by default for a self-hosted endpoint, and the choice remembered in
 * DATA/server.json without touching the database choice beside it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { t } from '../../../resources/locales/index.js';
import { chosenBlobs, saveBlobs } from '../../../server/blobs/choice.js';
import { parseBlobsSpec, s3SettingsFromEnv } from '../../../server/blobs/open.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-blobcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(fn: () => unknown): { code: string; params: Record<string, string> } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; params: Record<string, string> };
  }
  throw new Error('expected a failure');
}

describe('--blobs', () => {
  it('is local (default) or s3://bucket/prefix', () => {
    expect(parseBlobsSpec(undefined)).toEqual({ kind: 'local' });
    expect(parseBlobsSpec('local')).toEqual({ kind: 'local' });
    expect(parseBlobsSpec('s3://kyso-h49/inbox/prod/')).toEqual({ kind: 's3', bucket: 'kyso-h49', prefix: 'inbox/prod' });
    expect(parseBlobsSpec('s3://kyso-h49')).toEqual({ kind: 's3', bucket: 'kyso-h49', prefix: '' });
    for (const bad of ['/srv/blobs', 's3://', 's3://Bad_Bucket/x', 'gs://bucket']) {
      const e = failure(() => parseBlobsSpec(bad));
      expect(e.code).toBe('blobStoreConfig');
      expect(t('vi', `error.${e.code}`, e.params)).toContain('Cấu hình kho lưu gói văn bản không đúng');
    }
  });
});

describe('S3 settings from the environment', () => {
  const none = { AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'absent') };

  it('takes endpoint, region and keys from the environment; path-style for a self-hosted endpoint', () => {
    const s = s3SettingsFromEnv('b', { ...none, KYSO_S3_ENDPOINT: 'https://s3.so-tt.gov.vn:8443/', AWS_REGION: 'vn-south', AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK', AWS_SESSION_TOKEN: 'ST' });
    expect(s).toEqual({ endpoint: 'https://s3.so-tt.gov.vn:8443', bucket: 'b', region: 'vn-south', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'ST' }, pathStyle: true });
    const aws = s3SettingsFromEnv('b', { ...none, AWS_DEFAULT_REGION: 'ap-southeast-1', AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' });
    expect(aws).toMatchObject({ endpoint: 'https://s3.ap-southeast-1.amazonaws.com', pathStyle: false });
    expect(s3SettingsFromEnv('b', { ...none, KYSO_S3_ENDPOINT: 'http://127.0.0.1:9000', KYSO_S3_PATH_STYLE: '0', AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' }).pathStyle).toBe(false);
  });

  it('reads a profile of a credentials file when the environment has no keys', () => {
    const file = path.join(dir, 'credentials');
    writeFileSync(file, '# kho S3 của tỉnh\n[default]\naws_access_key_id = DEF\naws_secret_access_key = defsecret\n\n[profile inbox]\naws_access_key_id=INBOX\naws_secret_access_key= inboxsecret\n');
    expect(s3SettingsFromEnv('b', { KYSO_S3_CREDENTIALS_FILE: file }).credentials).toEqual({ accessKeyId: 'DEF', secretAccessKey: 'defsecret' });
    expect(s3SettingsFromEnv('b', { AWS_SHARED_CREDENTIALS_FILE: file, AWS_PROFILE: 'inbox' }).credentials).toEqual({ accessKeyId: 'INBOX', secretAccessKey: 'inboxsecret' });
    const e = failure(() => s3SettingsFromEnv('b', { AWS_SHARED_CREDENTIALS_FILE: file, AWS_PROFILE: 'other' }));
    expect(e.code).toBe('blobStoreConfig');
    expect(e.params.reason).toContain('no S3 credentials');
  });

  it('refuses plain http off loopback (packages would cross the network in clear)', () => {
    const keys = { ...none, AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' };
    expect(failure(() => s3SettingsFromEnv('b', { ...keys, KYSO_S3_ENDPOINT: 'http://10.0.0.5:7480' })).params.reason).toContain('must be https');
    expect(failure(() => s3SettingsFromEnv('b', { ...keys, KYSO_S3_ENDPOINT: 'not a url' })).code).toBe('blobStoreConfig');
    expect(s3SettingsFromEnv('b', { ...keys, KYSO_S3_ENDPOINT: 'http://localhost:7480' }).endpoint).toBe('http://localhost:7480');
  });
});

describe('the remembered choice', () => {
  it('is saved beside the database choice and used when --blobs is not given', () => {
    const data = path.join(dir, 'data');
    expect(chosenBlobs(data, undefined)).toBe('local');
    // Nothing is written for the default.
    saveBlobs(dir, 'local');
    writeFileSync(path.join(dir, 'server.json'), JSON.stringify({ db: 'postgres://kyso@db/kyso' }));
    saveBlobs(dir, 's3://kyso-h49/inbox');
    expect(JSON.parse(readFileSync(path.join(dir, 'server.json'), 'utf8'))).toEqual({ db: 'postgres://kyso@db/kyso', blobs: 's3://kyso-h49/inbox' });
    expect(chosenBlobs(dir, undefined)).toBe('s3://kyso-h49/inbox');
    expect(chosenBlobs(dir, 'local')).toBe('local');
    expect(failure(() => chosenBlobs(dir, 'ftp://x')).code).toBe('blobStoreConfig');
  });
});
