/** `npm run bench`: runs each benchmark module listed here, one after the other. */
import { benchToken } from './token.js';
import { benchPdf } from './pdf.js';
import { benchVerify } from './verify.js';

/** Benchmarks by name; each prints its own results. */
const benches: Array<[string, () => Promise<unknown>]> = [['token', () => benchToken()], ['pdf', () => benchPdf()], ['verify', () => benchVerify()]];

const only = process.argv.slice(2);
for (const [name, run] of benches) {
  if (only.length && !only.includes(name)) continue;
  console.log(`# ${name}`);
  await run();
}
