/** Minimal, bounded HTTP client used for AIA, OCSP and CRL fetches during validation. */
import http from 'node:http';
import https from 'node:https';

const MAX_BODY = 20 * 1024 * 1024;

/** GET or POST a URL; resolves to the body or undefined on any failure (the caller warns). */
export function fetchBytes(url: string, opts: { body?: Buffer; contentType?: string; timeoutMs?: number } = {}): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve(undefined);
      return;
    }
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (!mod) {
      resolve(undefined);
      return;
    }
    const req = mod.request(
      u,
      {
        method: opts.body ? 'POST' : 'GET',
        headers: opts.body ? { 'content-type': opts.contentType ?? 'application/octet-stream', 'content-length': opts.body.length } : {},
        timeout: opts.timeoutMs ?? 8000,
      },
      (res) => {
        if ((res.statusCode ?? 500) >= 300) {
          res.resume();
          resolve(undefined);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) req.destroy();
          else chunks.push(c);
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end(opts.body);
  });
}
