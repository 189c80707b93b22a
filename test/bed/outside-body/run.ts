/**
 * Process entry of the demo's outside body: `node --import tsx test/bed/outside-body/run.ts
 * CONFIG.json`. Prints `{"ready":true}` once listening, then one log line per action; stops on
 * SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { runOnInbox, type OutsideBodyConfig } from './inbox-transport.js';

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as OutsideBodyConfig;
const body = await runOnInbox(config, (line) => process.stderr.write(`[outside ${config.code}] ${line}\n`));
process.stdout.write(`${JSON.stringify({ ready: true, code: config.code })}\n`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void body.stop().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
