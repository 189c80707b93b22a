/**
 * Exactly-once delivery across crashes: the client process is SIGKILLed in the middle of a
 * 200-document batch and started again; the server ends with each document exactly once.
 * Then the recipient syncs while the server restarts in the middle: nothing is lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultValidator, ExchangeClient, InboxApi } from '../../../main/exchange/client/index.js';
import { openStore } from '../../../main/store/index.js';
import { createExchangeBed, ORG, type ExchangeBed } from './fixture.js';

const COUNT = 200;
let xb: ExchangeBed;
let homeA: string;

beforeAll(async () => {
  xb = await createExchangeBed();
  homeA = path.join(xb.bed.dir, 'home-a');
});
afterAll(async () => {
  await xb?.close();
});

function driver(): { child: ChildProcess; lines: AsyncIterable<string>; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const cfg = { home: homeA, server: xb.server.url, keyPath: xb.users.A2.cert.keyPath!, certDer: xb.users.A2.cert.derPath, pdf: xb.signedPdf, to: [ORG.B], count: COUNT, issueDate: '2026-11-22' };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'batch-driver.ts'), JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, lines: createInterface({ input: child.stdout! }), exit };
}

/** Every message id the client queued (each is then asked of the server). */
function queuedIds(): string[] {
  const store = openStore(homeA);
  try {
    return store.outbox.list({}, 10_000).map((i) => i.messageId);
  } finally {
    store.close();
  }
}

describe('crash and restart', () => {
  it('SIGKILL in the middle of a 200-document batch, restart: every document delivered exactly once', async () => {
    const first = driver();
    let sent = 0;
    for await (const line of first.lines) {
      if (line.startsWith('sent ')) sent++;
      // Kill with uploads still in flight (4 in parallel), a quarter of the way through.
      if (sent === 50) {
        first.child.kill('SIGKILL');
        break;
      }
    }
    expect((await first.exit).signal).toBe('SIGKILL');
    const before = (await xb.server.repo.counts()).messages;
    expect(before).toBeGreaterThanOrEqual(50);
    expect(before).toBeLessThan(COUNT);
    const store = openStore(homeA);
    const pendingAfterKill = store.outbox.list({ state: 'pending' }, 10_000).length;
    store.close();
    expect(pendingAfterKill).toBeGreaterThan(0);

    const second = driver();
    const out: string[] = [];
    for await (const line of second.lines) out.push(line);
    expect(await second.exit).toEqual({ code: 0, signal: null });
    const done = JSON.parse(out.at(-1)!.replace(/^done /, '')) as { sent: number; pending: number; failed: number };
    expect(done.pending).toBe(0);
    expect(done.failed).toBe(0);
    // Documents queued before the kill were found again, not duplicated.
    const queuedAgain = Number(out.find((l) => l.startsWith('queued '))!.slice(7));
    expect(queuedAgain).toBeLessThan(COUNT);

    const counts = await xb.server.repo.counts();
    expect(counts.messages).toBe(COUNT);
    expect(counts.deliveries).toBe(COUNT);
    const ids = queuedIds();
    expect(new Set(ids).size).toBe(COUNT);
    // 200 distinct queued ids, 200 messages on the server, and the server knows every one of them.
    const api = new InboxApi(xb.server.url, xb.users.A2.signer);
    for (const id of ids) {
      const m = await api.sentMessage(id);
      expect(m.recipients.map((r) => r.organId)).toEqual([ORG.B]);
    }
    const s = openStore(homeA);
    expect(s.outbox.batchCounts('batch-200')).toEqual({ total: COUNT, pending: 0, sent: COUNT, failed: 0 });
    expect(s.outgoing.list({ limit: 1000 })).toHaveLength(COUNT);
    s.close();
  });

  it('server restart during the recipient sync loses nothing and duplicates nothing', async () => {
    const homeB = path.join(xb.bed.dir, 'home-b');
    const store = openStore(homeB);
    let arrivals = 0;
    let stopped: Promise<void> | null = null;
    const client = new ExchangeClient({
      store, home: homeB, server: xb.server.url, signer: async () => xb.users.B.signer,
      // Offline: this test is about delivery, not about revocation fetches for 200 PDFs.
      validator: defaultValidator([xb.bed.certs.root.der], true),
      events: {
        onArrival: () => {
          // The server goes down in the middle of the sync (it comes back after the failure below).
          if (++arrivals === 60) stopped = xb.stopServer();
        },
      },
    });
    await expect(client.sync()).rejects.toThrow();
    await stopped;
    await xb.startAgain();
    expect(arrivals).toBeGreaterThanOrEqual(60);
    expect(arrivals).toBeLessThan(COUNT);
    // A fresh client (as after an app restart) resumes from the stored cursor.
    const again = new ExchangeClient({ store, home: homeB, server: xb.server.url, signer: async () => xb.users.B.signer, validator: defaultValidator([xb.bed.certs.root.der], true) });
    const r = await again.sync();
    expect(arrivals + r.received).toBe(COUNT);
    expect(store.incoming.list({ limit: 1000 })).toHaveLength(COUNT);
    expect(new Set(store.incoming.list({ limit: 1000 }).map((d) => d.number)).size).toBe(COUNT);
    expect(store.incoming.pendingValidation(xb.server.url)).toEqual([]);
    store.close();
  });
});
