/** `npm run bench`: runs each benchmark module listed here, one after the other. */
import { benchToken } from './token.js';
import { benchSign } from './sign.js';
import { benchPdf } from './pdf.js';
import { benchVerify } from './verify.js';
import { benchExchange } from './exchange.js';
import { benchExchangeClient } from './exchange-client.js';
import { benchUi } from './ui.js';
import { benchRegisters } from './ui-registers.js';
import { benchTestbed } from './testbed.js';
import { benchEdxml } from './edxml.js';
import { benchBlobs } from './blobs.js';
import { benchAxis } from './axis.js';
import { benchService } from './service.js';
import { benchServerScale } from './server-scale.js';

/** Benchmarks by name; each prints its own results. One per line, so new ones merge cleanly. */
const benches: Array<[string, () => Promise<unknown>]> = [
  ['token', () => benchToken()],
  ['sign', () => benchSign()],
  ['pdf', () => benchPdf()],
  ['verify', () => benchVerify()],
  ['exchange', () => benchExchange()],
  ['exchange-client', () => benchExchangeClient()],
  ['ui', () => benchUi()],
  ['ui-registers', () => benchRegisters()],
  ['testbed', () => benchTestbed()],
  ['edxml', () => benchEdxml()],
  ['blobs', () => benchBlobs()],
  ['axis', () => benchAxis()],
  ['service', () => benchService()],
  ['server-scale', () => benchServerScale()],
];

const only = process.argv.slice(2);
for (const [name, run] of benches) {
  if (only.length && !only.includes(name)) continue;
  console.log(`# ${name}`);
  await run();
}
