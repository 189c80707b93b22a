/** The browser host against a real core: static files, CSP, secret/Origin/Host checks, WS envelopes and events. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCore, type Core } from '../../../main/services/core.js';
import { browserShellHandlers } from '../../../main/host/shell-fallback.js';
import { startHost, type Host } from '../../../main/host/server.js';

let dir: string;
let core: Core;
let host: Host;
const secret = 'test-secret-0123456789';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-host-'));
  const renderer = path.join(dir, 'renderer');
  mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(renderer, 'assets', 'a.js'), 'export {}');
  writeFileSync(path.join(dir, 'outside.txt'), 'secret file');
  core = await createCore({ host: 'browser', home: path.join(dir, 'home'), lang: 'vi', shell: browserShellHandlers() });
  host = await startHost({ core, rendererDir: renderer, secret });
});

afterAll(async () => {
  await host.close();
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Raw GET with full control of the headers (fetch forbids setting Host). */
function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, path: pathname, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves with the socket or the refusal status. */
function openWs(query: string, origin: string | null = host.origin): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws${query}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

/** Sends one message and waits for the reply with that id. */
function request(ws: WebSocket, msg: unknown, id: number | null): Promise<{ id: number | null; result: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }> {
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString()) as { id?: number | null };
      if ('id' in m && m.id === id) {
        ws.off('message', on);
        resolve(m as never);
      }
    };
    ws.on('message', on);
    ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });
}

describe('browser host http', () => {
  it('serves the renderer with a strict CSP on loopback only', async () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/#s=${secret}`);
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>t</title>');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/assets/a.js')).headers['content-type']).toContain('text/javascript');
  });

  it('never serves files outside the renderer folder', async () => {
    expect((await get('/../outside.txt')).status).toBe(404);
    expect((await get('/%2e%2e/outside.txt')).status).toBe(404);
    expect((await get('/assets/%2e%2e/%2e%2e/outside.txt')).status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get('/', { Host: `evil.example:${host.port}` })).status).toBe(421);
  });
});

describe('browser host websocket', () => {
  it('refuses a wrong or missing secret, a foreign Origin and an unknown path', async () => {
    expect(await openWs('?s=wrong')).toBe(403);
    expect(await openWs('')).toBe(403);
    expect(await openWs(`?s=${secret}`, 'http://evil.example')).toBe(403);
    expect(await openWs(`?s=${secret}`, null)).toBe(403);
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/other?s=${secret}`, { origin: host.origin });
    const status = await new Promise((resolve) => ws.once('unexpected-response', (_q, res) => resolve(res.statusCode)));
    expect(status).toBe(404);
  });

  it('round-trips app:info through the real core', async () => {
    const ws = await openWs(`?s=${secret}`);
    if (typeof ws === 'number') throw new Error(`refused ${ws}`);
    const reply = await request(ws, { id: 7, op: 'app:info', input: {} }, 7);
    expect(reply.result.ok).toBe(true);
    expect(reply.result.value).toMatchObject({ name: 'Kyso', host: 'browser', home: path.join(dir, 'home'), lang: 'vi' });
    ws.close();
  });

  it('answers bad messages with localized error envelopes', async () => {
    const ws = await openWs(`?s=${secret}`);
    if (typeof ws === 'number') throw new Error(`refused ${ws}`);
    const notJson = await request(ws, '{nope', null);
    expect(notJson.result).toMatchObject({ ok: false, error: { code: 'internal' } });
    const badShape = await request(ws, { id: 3, op: 'app:info', extra: 1 }, 3);
    expect(badShape.result).toMatchObject({ ok: false, error: { code: 'invalidInput' } });
    const unknownOp = await request(ws, { id: 4, op: 'nope:nothing', input: {} }, 4);
    expect(unknownOp.result).toMatchObject({ ok: false, error: { code: 'unknownCommand', message: 'Lệnh không hợp lệ: nope:nothing' } });
    const badInput = await request(ws, { id: 5, op: 'app:setLang', input: { lang: 'fr' } }, 5);
    expect(badInput.result).toMatchObject({ ok: false, error: { code: 'invalidInput' } });
    ws.close();
  });

  it('pushes core events to every connected page', async () => {
    const a = await openWs(`?s=${secret}`);
    const b = await openWs(`?s=${secret}`);
    if (typeof a === 'number' || typeof b === 'number') throw new Error('refused');
    const seen = new Promise<unknown>((resolve) => b.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { event?: string; payload?: unknown };
      if (m.event === 'app:lang') resolve(m.payload);
    }));
    const reply = await request(a, { id: 1, op: 'app:setLang', input: { lang: 'en' } }, 1);
    expect(reply.result).toEqual({ ok: true, value: { lang: 'en' } });
    expect(await seen).toEqual({ lang: 'en' });
    await request(a, { id: 2, op: 'app:setLang', input: { lang: 'vi' } }, 2);
    a.close();
    b.close();
  });
});
