/**
 * Child process of the crash test: queues N documents from org A (software key) to the given
 * recipients, then drains the outbox, printing `sent <id>` after each delivery. Run again
 * after a SIGKILL, it finds the queued rows (same message ids) and finishes the job.
 * Usage: node --import tsx batch-driver.ts '<json config>'
 */
import { readFileSync } from 'node:fs';
import { defaultValidator, ExchangeClient } from '../../../main/exchange/client/index.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import { openStore } from '../../../main/store/index.js';

interface Config {
  home: string;
  server: string;
  keyPath: string;
  certDer: string;
  pdf: string;
  to: string[];
  count: number;
  /** The documents' issue date: the run after the kill must make the same message ids even past midnight in Vietnam. */
  issueDate: string;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as Config;
const store = openStore(cfg.home);
const signer = softwareSigner(readFileSync(cfg.keyPath), readFileSync(cfg.certDer));
const client = new ExchangeClient({
  store,
  home: cfg.home,
  server: cfg.server,
  signer: async () => signer,
  validator: defaultValidator([], true),
  backoff: { baseMs: 20, maxMs: 200, maxAttempts: 50 },
  onProgress: (p) => {
    if (p.state === 'sent') process.stdout.write(`sent ${p.item.messageId}\n`);
  },
});
let queued = 0;
for (let i = 1; i <= cfg.count; i++) {
  const r = await client.queue({ to: cfg.to, subject: `Công văn số ${i} về việc báo cáo định kỳ`, number: String(i), notation: 'UBND-VP', type: 'Công văn', files: [cfg.pdf], batchId: 'batch-200', issueDate: cfg.issueDate });
  if (r.queued) queued++;
}
process.stdout.write(`queued ${queued}\n`);
const result = await client.flush({ untilEmpty: true, concurrency: 4 });
process.stdout.write(`done ${JSON.stringify(result)}\n`);
store.close();
