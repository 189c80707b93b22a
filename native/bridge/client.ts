/**
 * Parent side of one token-bridge process: typed calls with per-call timeouts, crash
 * detection and restart. A crash or a timeout rejects the pending calls with a clear
 * KysoError; the next call starts a fresh process (which is logged out: the caller must ask
 * for the PIN again, never replay it).
 */
import { KysoError, errorCodeOf } from '../../main/api/errors.js';
import { forkLauncher, workerEnv, type BridgeProcess, type ProcessLauncher } from './launcher.js';
import { responseSchema, resultSchemas, type BridgeCall, type BridgeOp, type BridgeResult } from './protocol.js';

/** Options of a bridge client. */
export interface BridgeClientOptions {
  /** Path of the PKCS#11 module this bridge loads. */
  modulePath: string;
  launcher?: ProcessLauncher;
  /** Environment of the bridge process (e.g. SOFTHSM2_CONF); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Timeout of ordinary calls (ms). */
  callTimeoutMs?: number;
  /** Timeout of a login (longer: a PIN pad waits for the user). */
  loginTimeoutMs?: number;
  /** Timeout of starting the process and loading the module (C_Initialize). */
  loadTimeoutMs?: number;
  /** Called when the process ends unexpectedly (crash, kill, timeout). */
  onCrash?: (info: { module: string; code: number | null; signal: string | null }) => void;
}

interface Pending {
  op: BridgeOp;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

/** A typed, restartable connection to one bridge process. */
export class BridgeClient {
  readonly modulePath: string;
  private proc: BridgeProcess | undefined;
  private starting: Promise<BridgeProcess> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private loaded: BridgeResult<'load'> | undefined;
  /** Number of processes started so far (1 after the first call; more after restarts). */
  generation = 0;

  constructor(private readonly opts: BridgeClientOptions) {
    this.modulePath = opts.modulePath;
  }

  /** OS process id of the current bridge process, if running. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Runs one operation in the bridge, starting (or restarting) the process if needed. */
  async call<O extends BridgeOp>(req: Extract<BridgeCall, { op: O }>): Promise<BridgeResult<O>> {
    const proc = await this.ensure();
    return this.raw(proc, req) as Promise<BridgeResult<O>>;
  }

  /** The module's C_GetInfo (manufacturer, versions), loading it if needed; no reload. */
  async moduleInfo(): Promise<BridgeResult<'load'>> {
    await this.ensure();
    return this.loaded!;
  }

  /** Stops the process; later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    const p = this.proc;
    this.proc = undefined;
    this.failAll(new KysoError('tokenBridgeClosed', { module: this.modulePath }));
    p?.kill();
  }

  private ensure(): Promise<BridgeProcess> {
    if (this.closed) return Promise.reject(new KysoError('tokenBridgeClosed', { module: this.modulePath }));
    // While the module is still loading, callers wait for the load (this.proc is already set
    // so the exit handler can see it, but this.loaded is not yet).
    if (this.starting) return this.starting;
    if (this.proc) return Promise.resolve(this.proc);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<BridgeProcess> {
    const launcher = this.opts.launcher ?? forkLauncher;
    const proc = launcher.launch(workerEnv(this.opts.env ?? process.env));
    this.generation++;
    proc.onMessage((m) => this.onMessage(m));
    proc.onExit((code, signal) => {
      if (this.proc === proc) this.proc = undefined;
      if (this.closed) return;
      this.failAll(new KysoError('tokenBridgeCrashed', { module: this.modulePath }));
      this.opts.onCrash?.({ module: this.modulePath, code, signal });
    });
    this.proc = proc;
    try {
      this.loaded = (await this.raw(proc, { op: 'load', path: this.modulePath })) as BridgeResult<'load'>;
    } catch (e) {
      // A module that cannot load is not restarted in a loop: drop the process.
      if (this.proc === proc) this.proc = undefined;
      proc.kill();
      throw e;
    }
    return proc;
  }

  private raw(proc: BridgeProcess, req: BridgeCall): Promise<unknown> {
    const id = this.nextId++;
    const timeoutMs =
      req.op === 'login' ? (this.opts.loginTimeoutMs ?? 120_000) : req.op === 'load' ? (this.opts.loadTimeoutMs ?? 60_000) : (this.opts.callTimeoutMs ?? 30_000);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        // A hung driver call cannot be cancelled: end the process so the next call starts clean.
        if (this.proc === proc) this.proc = undefined;
        proc.kill();
        reject(new KysoError('tokenTimeout', { module: this.modulePath, op: req.op, seconds: Math.round(timeoutMs / 1000) }));
      }, timeoutMs);
      this.pending.set(id, { op: req.op, resolve, reject, timer });
      proc.send({ ...req, id });
    });
  }

  private onMessage(m: unknown): void {
    const parsed = responseSchema.safeParse(m);
    if (!parsed.success) return;
    const res = parsed.data;
    const p = this.pending.get(res.id);
    if (!p) return;
    this.pending.delete(res.id);
    clearTimeout(p.timer);
    if (!res.ok) {
      p.reject(new KysoError(errorCodeOf(res.error.code), res.error.params));
      return;
    }
    const value = resultSchemas[p.op].safeParse(res.value);
    if (value.success) p.resolve(value.data);
    else p.reject(new KysoError('tokenError', { detail: `bad ${p.op} response`, module: this.modulePath }));
  }

  private failAll(error: KysoError): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(error);
    }
  }
}
