/**
 * The sign domain's contract adapter: `sign:files` starts a background job of the sign use
 * case (progress as sign:progress, the end as sign:done), `sign:cancel` aborts it cleanly,
 * `sign:extend` adds B-LT/B-LTA. The signer comes from the shared TokenManager (the user
 * logged in with token:login). The work itself is in sign.ts, shared with `kyso sign`.
 */
import type { TokenManager } from '../../native/token-manager.js';
import { certView } from '../pki/cert.js';
import { readCertFiles } from '../pki/cert-file.js';
import type { signOperations } from '../api/contract/sign.js';
import type { BatchResult } from '../signing/batch.js';
import { extendFile, planSignOutputs, resultError, resultWarnings, SignJobs, tsaConfig, withChain, type SignSpec } from './sign.js';
import { previewLayout } from './sign-layout.js';
import type { SigningSessions } from './token-session.js';
import type { Handler, HandlersFor, ServiceContext } from './types.js';

/** The sign service: handlers plus close() (aborts running jobs). */
export interface SignService {
  handlers: HandlersFor<keyof typeof signOperations>;
  /** Resolves when the job ends (for tests and shutdown). */
  wait(jobId: string): Promise<void>;
  close(): Promise<void>;
}

type FilesInput = Parameters<Handler<'sign:files'>>[0];

/** The signature's shape asked by a `sign:files` call (TSA credentials from the environment, as for kyso sign). */
export function signSpecOf(input: FilesInput, env: NodeJS.ProcessEnv): Omit<SignSpec, 'signer' | 'signal'> {
  const tsa = tsaConfig(input.tsaUrl, env);
  return {
    level: input.level,
    ...(tsa ? { tsa } : {}),
    allowFallback: input.allowFallback,
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.location ? { location: input.location } : {}),
    ...(input.certify ? { certify: input.certify } : {}),
    ...(input.appearance ? { appearance: input.appearance } : {}),
    ...(input.placement ? { placement: input.placement } : {}),
    overwrite: input.overwrite,
    ...(input.password !== undefined ? { password: input.password } : {}),
  };
}

function toContractResult(r: BatchResult, ctx: ServiceContext) {
  const error = resultError(r, ctx.lang);
  return { input: r.input, output: r.output, status: r.status, ...(r.level ? { level: r.level } : {}), ...(error ? { error } : {}), warnings: resultWarnings(r, ctx.lang), ...(r.result?.size !== undefined ? { size: r.result.size } : {}) };
}

/** What the sign service tells its owner, and the session rules it follows. */
export interface SignServiceHooks {
  /** A file a job wrote (each signed output, an extended file): the OS opener may open it. */
  onWritten?(file: string): void;
  /** The app's token sessions: asked before each job (may refuse: PIN needed) and told after it. */
  sessions?: Pick<SigningSessions, 'begin' | 'end'>;
}

/** Creates the sign handlers over the core's TokenManager; `env` gives the TSA credentials. */
export function createSignService(tokens: Pick<TokenManager, 'getSigner'>, env: NodeJS.ProcessEnv = process.env, hooks: SignServiceHooks = {}): SignService {
  const jobs = new SignJobs();
  const handlers: SignService['handlers'] = {
    'sign:files': async (input, ctx) => {
      const targets = { files: input.files, output: input.output, outDir: input.outDir, overwrite: input.overwrite };
      // Refused outputs (two inputs with one name...) before the token or the disk is touched.
      planSignOutputs(targets);
      const extra = readCertFiles(input.chain ?? []);
      const key = await tokens.getSigner(input.token, input.cert ?? {});
      // The session rules are about a person: the certificate, not just the token, must match.
      const { fingerprint, commonName } = certView(key.certificate);
      await hooks.sessions?.begin(input.token, fingerprint);
      const ended = async () => {
        await hooks.sessions?.end(input.token, fingerprint, commonName).catch(() => undefined);
      };
      try {
        const jobId = jobs.start(targets, { ...signSpecOf(input, env), signer: withChain(key, extra) }, {
          onProgress: (id, p) => ctx.emit('sign:progress', { jobId: id, ...p }),
          onDone: (id, results, cancelled) => {
            // Skipped: the output a previous run of the same job signed (kept, not signed twice).
            for (const r of results) if ((r.status === 'signed' || r.status === 'skipped') && r.output) hooks.onWritten?.(r.output);
            // sign:done once the token is logged out (or its session kept): the screen's next step sees the new state.
            const done = () => ctx.emit('sign:done', { jobId: id, results: results.map((r) => toContractResult(r, ctx)), cancelled });
            if (hooks.sessions) void ended().then(done);
            else done();
          },
        });
        return { jobId };
      } catch (e) {
        await ended();
        throw e;
      }
    },
    'sign:layout': ({ file, appearance, placement }, ctx) => previewLayout(file, appearance, placement, ctx.lang),
    'sign:cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'sign:extend': async (input) => {
      const tsa = tsaConfig(input.tsaUrl, env);
      const r = await extendFile(input.file, { ...(input.output ? { output: input.output } : {}), level: input.level, ...(tsa ? { tsa } : {}), ...(input.password !== undefined ? { password: input.password } : {}) });
      hooks.onWritten?.(r.output);
      return { output: r.output, level: r.level };
    },
  };
  return { handlers, wait: (jobId) => jobs.wait(jobId), close: () => jobs.close() };
}
