/**
 * Shared plumbing of the exchange commands (send, inbox, register, outbox): the data
 * directory (KYSO_HOME), the server URL, the signing key (USB token, or a key file for test
 * beds), trust anchors for validating arrivals, and JSON/text output.
 */
import { readFileSync } from 'node:fs';
import { KysoError } from '../../api/errors.js';
import { ExchangeClient, SERVER_SETTING, defaultValidator } from '../../exchange/client/index.js';
import { toKysoError } from '../../exchange/client/http.js';
import type { SyncEvents } from '../../exchange/client/sync.js';
import { readCertFile } from '../../pki/cert-file.js';
import { softwareSigner } from '../../pki/software-signer.js';
import type { Signer } from '../../pki/signer.js';
import { certSelector } from '../../services/exchange.js';
import { kysoHome } from '../../services/paths.js';
import { openStore, type Store } from '../../store/index.js';
import { str, type OptionSpecs, type ParsedArgs } from '../spec.js';
import type { CliIo } from '../io.js';
import { pinOptions, pinSourceFrom, readPin } from '../pin.js';

/** Options every exchange command accepts. */
export const exchangeOptions: OptionSpecs = {
  server: { type: 'string', value: 'URL', help: 'cli.opt.server' },
  module: { type: 'string', value: 'PATH', help: 'cli.opt.module' },
  token: { type: 'string', value: 'LABEL', help: 'cli.opt.token' },
  cert: { type: 'string', value: 'SERIAL|SUBJECT', help: 'cli.opt.cert' },
  ...pinOptions('pin'),
  'key-file': { type: 'string', value: 'FILE', help: 'cli.opt.key-file' },
  'cert-file': { type: 'string', value: 'FILE', help: 'cli.opt.cert-file' },
  trust: { type: 'string', multiple: true, value: 'ROOT.pem', help: 'cli.opt.trust' },
  offline: { type: 'boolean', help: 'cli.opt.exchange.offline' },
  json: { type: 'boolean', help: 'cli.opt.json' },
};

/** `--json` alone, for the commands that only read the local store. */
export const jsonOption: OptionSpecs = { json: { type: 'boolean', help: 'cli.opt.json' } };

/** A string option or undefined (re-exported for the exchange commands). */
export { str };

/** Opens the store of KYSO_HOME. */
export function storeFor(io: CliIo): { store: Store; home: string } {
  const home = kysoHome(io.env);
  return { store: openStore(home), home };
}

/** Builds the signer lazily: token through the bridge, else a key file (test beds, demos). */
function signerFactory(o: ParsedArgs['options'], io: CliIo, onClose: (f: () => Promise<void>) => void): () => Promise<Signer> {
  return async () => {
    const keyFile = str(o, 'key-file');
    const certFile = str(o, 'cert-file');
    if (keyFile && certFile) {
      const [cert, ...chain] = readCertFile(certFile);
      return softwareSigner(readFileSync(keyFile), cert!, chain);
    }
    const module = str(o, 'module');
    if (!module) throw new KysoError('exNoSigner');
    const { TokenManager } = await import('../../../native/token-manager.js');
    const tm = new TokenManager({ modules: [module], env: io.env });
    onClose(() => tm.close());
    const ref = { module, label: str(o, 'token') };
    await tm.login(ref, await readPin(io, pinSourceFrom(o)));
    return tm.getSigner(ref, certSelector(str(o, 'cert')));
  };
}

/** A client plus what must be closed after the command. */
export interface CliClient {
  client: ExchangeClient;
  store: Store;
  close(): Promise<void>;
}

/** Opens the store and builds the client for one command. */
export function openClient(o: ParsedArgs['options'], io: CliIo, events?: SyncEvents): CliClient {
  const { store, home } = storeFor(io);
  const closers: Array<() => Promise<void>> = [];
  try {
    const server = str(o, 'server') ?? (store.settings.get(SERVER_SETTING) as string | undefined);
    if (!server) throw new KysoError('exNoServer');
    const trust = ((o.trust as string[] | undefined) ?? []).flatMap((f) => readCertFile(f));
    const client = new ExchangeClient({
      store,
      home,
      server,
      signer: signerFactory(o, io, (f) => closers.push(f)),
      validator: defaultValidator(trust, o.offline === true, home),
      events,
    });
    return {
      client,
      store,
      close: async () => {
        for (const c of closers) await c().catch(() => undefined);
        store.close();
      },
    };
  } catch (e) {
    store.close();
    throw e;
  }
}

/** Runs a command body with a client, always closing it; server failures become KysoErrors. */
export async function withClient<T>(o: ParsedArgs['options'], io: CliIo, body: (c: CliClient) => Promise<T>, events?: SyncEvents): Promise<T> {
  const c = openClient(o, io, events);
  try {
    return await body(c);
  } catch (e) {
    throw toKysoError(e);
  } finally {
    await c.close();
  }
}

/** Prints JSON (for --json) with a trailing newline. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + '\n');
}
