/**
 * Exchange client benchmark against the real loopback server: documents composed and queued
 * per second (edXML build + XML-DSig with a software key), outbox deliveries per second
 * (4 parallel uploads) and inbox arrivals per second at the recipient (download, parse,
 * verify, store, PDF validation offline). KYSO_BENCH_CLIENT_DOCS sets the batch size.
 */
import path from 'node:path';
import { defaultValidator, ExchangeClient } from '../main/exchange/client/index.js';
import { openStore } from '../main/store/index.js';
import { createExchangeBed, ORG } from '../test/integration/exchange-client/fixture.js';

const rate = (n: number, ms: number) => `${((n * 1000) / ms).toFixed(1)}/s`;

/** Runs the client benchmark and prints its results. */
export async function benchExchangeClient(): Promise<void> {
  const count = Number(process.env.KYSO_BENCH_CLIENT_DOCS ?? 200);
  const xb = await createExchangeBed();
  try {
    const homeA = path.join(xb.bed.dir, 'bench-a');
    const homeB = path.join(xb.bed.dir, 'bench-b');
    const storeA = openStore(homeA);
    const storeB = openStore(homeB);
    const a = new ExchangeClient({ store: storeA, home: homeA, server: xb.server.url, signer: async () => xb.users.A2.signer, validator: defaultValidator([], true) });
    const b = new ExchangeClient({ store: storeB, home: homeB, server: xb.server.url, signer: async () => xb.users.B.signer, validator: defaultValidator([xb.bed.certs.root.der], true) });
    await a.organization();
    await a.directory(true);
    let t = performance.now();
    for (let i = 1; i <= count; i++) {
      await a.queue({ to: [ORG.B], subject: `Công văn số ${i}`, number: String(i), notation: 'UBND-VP', type: 'Công văn', files: [xb.signedPdf] });
    }
    const queueMs = performance.now() - t;
    t = performance.now();
    const sent = await a.flush({ untilEmpty: true, concurrency: 4 });
    const flushMs = performance.now() - t;
    t = performance.now();
    const got = await b.sync();
    const syncMs = performance.now() - t;
    console.log(`documents: ${count}, PDF ${Math.round((await import('node:fs')).statSync(xb.signedPdf).size / 1024)} KB each`);
    console.log(`compose+queue: ${rate(count, queueMs)} (${Math.round(queueMs)} ms)`);
    console.log(`deliveries:    ${rate(sent.sent, flushMs)} (${sent.sent} sent, ${sent.failed} failed, ${Math.round(flushMs)} ms)`);
    console.log(`arrivals:      ${rate(got.received, syncMs)} (${got.received} received and validated, ${Math.round(syncMs)} ms)`);
    storeA.close();
    storeB.close();
  } finally {
    await xb.close();
  }
}
