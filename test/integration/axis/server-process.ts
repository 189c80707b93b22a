/**
 * `kyso server` as a separate process with the gateway's test timings (the CLI has no flags
 * for backoff and lease): `node --import tsx server-process.ts CONFIG.json`. Prints
 * `{"url":...}` once listening; a test kills it with SIGKILL.
 */
import { readFileSync } from 'node:fs';
import { startServer, type ServerOptions } from '../../../server/app.js';
import { FAST } from './timings.js';

const cfg = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Pick<ServerOptions, 'dataDir' | 'port' | 'trustFiles' | 'db' | 'pgSchema'>;
// The server's JSON log without its per-request info lines (a benchmark makes thousands).
const log = (line: string) => void (line.includes('"level":"info"') ? undefined : process.stderr.write(line));
const server = await startServer({ ...cfg, log, axis: { ...FAST, log: (l) => process.stderr.write(`${l}\n`) } });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
