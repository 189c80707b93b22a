/**
 * `kyso sign IN.pdf... (-o OUT.pdf | --out-dir DIR) [--module PATH] [--token LABEL]
 * [--cert SERIAL|SUBJECT] (--pin-env VAR | --pin-file F | prompt) [--level B-B|B-T|B-LT|B-LTA]
 * [--tsa URL] [--role ROLE] [--page N --rect X,Y,W,H | --anchor TEXT] [--image PNG]
 * [--reason R] [--location L] [--certify 1|2|3] [--json]`, plus --chain, --seal, --org,
 * --doc-number, --doc-date, --copy-form, --arrival-number, --arrival-date, --allow-fallback,
 * --overwrite. One PIN for all files; one result per file; exit 1 when any file failed.
 */
import path from 'node:path';
import { KysoError } from '../../api/errors.js';
import type { BatchResult } from '../../signing/batch.js';
import type { AppearanceOptions, PadesLevel, Placement, SignatureRole } from '../../signing/types.js';
import { prepareSignOutputs, tsaConfig, type SignItem } from '../../services/sign-plan.js';
import { parseArgs, type ParsedArgs } from '../args.js';
import { tr, type CliIo, type Command } from '../io.js';
import { pinOptions, pinSourceFrom, readPin } from '../pin.js';

const LEVELS = ['B-B', 'B-T', 'B-LT', 'B-LTA'];
const ROLES = ['approval', 'issuing', 'attachment', 'copy', 'incoming', 'initials', 'invisible'];
const COPY_FORMS = ['SAO Y', 'SAO LỤC', 'TRÍCH SAO'];

const spec = {
  out: { type: 'string', short: 'o' },
  'out-dir': { type: 'string' },
  overwrite: { type: 'boolean' },
  module: { type: 'string' },
  token: { type: 'string' },
  cert: { type: 'string' },
  chain: { type: 'string', multiple: true },
  level: { type: 'string' },
  tsa: { type: 'string' },
  'allow-fallback': { type: 'boolean' },
  role: { type: 'string' },
  page: { type: 'string' },
  rect: { type: 'string' },
  anchor: { type: 'string' },
  image: { type: 'string' },
  seal: { type: 'string' },
  org: { type: 'string' },
  'doc-number': { type: 'string' },
  'doc-date': { type: 'string' },
  'copy-form': { type: 'string' },
  'arrival-number': { type: 'string' },
  'arrival-date': { type: 'string' },
  reason: { type: 'string' },
  location: { type: 'string' },
  certify: { type: 'string' },
  json: { type: 'boolean' },
  ...pinOptions('pin'),
} as const;

const str = (o: ParsedArgs['options'], k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);

function oneOf<T extends string>(value: string | undefined, allowed: readonly string[], option: string): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value)) throw new KysoError('cliInvalidValue', { option, value, allowed: allowed.join('|') });
  return value as T;
}

/** Parses the placement options (page, rect or anchor). */
export function placementFrom(o: ParsedArgs['options']): Placement | undefined {
  const page = str(o, 'page');
  const rect = str(o, 'rect');
  const anchor = str(o, 'anchor');
  if (rect !== undefined && anchor !== undefined) throw new KysoError('cliConflict', { a: '--rect', b: '--anchor' });
  const p: Placement = {};
  if (page !== undefined) {
    const n = Number(page);
    if (!Number.isInteger(n) || n < 1) throw new KysoError('cliInvalidValue', { option: '--page', value: page, allowed: '1, 2, ...' });
    p.page = n;
  }
  if (rect !== undefined) {
    const nums = rect.split(',').map((x) => Number(x.trim()));
    // PDF pages are at most 14,400 points wide (ISO 32000 user-space limit at unit 1).
    const bad = nums.length !== 4 || nums.some((x) => !Number.isFinite(x) || Math.abs(x) > 14_400) || nums[2]! <= 0 || nums[3]! <= 0;
    if (bad) throw new KysoError('cliInvalidValue', { option: '--rect', value: rect, allowed: 'X,Y,W,H (points, at most 14400)' });
    p.rect = nums as [number, number, number, number];
  }
  if (anchor !== undefined) p.anchor = anchor;
  return Object.keys(p).length ? p : undefined;
}

/** Parses the appearance options for the role. */
export function appearanceFrom(o: ParsedArgs['options'], placed: boolean): AppearanceOptions {
  const role = oneOf<SignatureRole>(str(o, 'role'), ROLES, '--role') ?? (placed || str(o, 'image') ? 'approval' : 'invisible');
  const a: AppearanceOptions = { role };
  const map: Array<[keyof AppearanceOptions, string]> = [
    ['image', 'image'], ['sealImage', 'seal'], ['organization', 'org'], ['documentNumber', 'doc-number'],
    ['documentDate', 'doc-date'], ['arrivalNumber', 'arrival-number'], ['arrivalDate', 'arrival-date'],
  ];
  for (const [k, opt] of map) {
    const v = str(o, opt);
    if (v !== undefined) (a as unknown as Record<string, string>)[k] = v;
  }
  const cf = oneOf<NonNullable<AppearanceOptions['copyForm']>>(str(o, 'copy-form'), COPY_FORMS, '--copy-form');
  if (cf) a.copyForm = cf;
  return a;
}

/** Input/output pairs from -o or --out-dir (the output folder is created once they are good). */
export function itemsFrom(inputs: string[], o: ParsedArgs['options']): SignItem[] {
  if (!inputs.length) throw new KysoError('cliMissingInput');
  const out = str(o, 'out');
  const dir = str(o, 'out-dir');
  if (out !== undefined && dir !== undefined) throw new KysoError('cliConflict', { a: '-o', b: '--out-dir' });
  if (out !== undefined && (!out.trim() || out.endsWith('/') || out.endsWith(path.sep)) && inputs.length === 1) {
    throw new KysoError('cliInvalidValue', { option: '-o', value: out, allowed: 'FILE.pdf' });
  }
  if (dir !== undefined && !dir.trim()) throw new KysoError('cliInvalidValue', { option: '--out-dir', value: dir, allowed: 'DIR' });
  return prepareSignOutputs({ files: inputs, output: out, outDir: dir, overwrite: o.overwrite === true });
}

function resultJson(r: BatchResult, io: CliIo, describe: typeof import('../../services/sign.js')) {
  const error = describe.resultError(r, io.lang);
  return {
    input: r.input,
    output: r.output,
    status: r.status,
    ...(r.level ? { level: r.level } : {}),
    ...(r.result ? { field: r.result.fieldName, size: r.result.size, warnings: describe.resultWarnings(r, io.lang) } : {}),
    ...(error ? { error } : {}),
  };
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, spec);
  const items = itemsFrom(positionals, o);
  const level = oneOf<PadesLevel>(str(o, 'level'), LEVELS, '--level') ?? 'B-B';
  const certifyText = oneOf<'1' | '2' | '3'>(str(o, 'certify'), ['1', '2', '3'], '--certify');
  const placement = placementFrom(o);
  const appearance = appearanceFrom(o, placement?.rect !== undefined || placement?.anchor !== undefined);
  const tsa = tsaConfig(str(o, 'tsa'), io.env);
  if (level !== 'B-B' && !tsa) throw new KysoError('signTsaRequired', { level });
  // The token bridge's own Node process boots while this one loads the engine below.
  const { prewarmWorker, workerEnv } = await import('../../../native/bridge/launcher.js');
  prewarmWorker(workerEnv({ ...process.env, ...io.env }));
  // The engine (pkijs, token bridge) loads only when signing, not for every `kyso` command.
  const [{ openTokenSession }, sign] = await Promise.all([import('../../services/token-session.js'), import('../../services/sign.js')]);
  const session = await openTokenSession({
    ...(str(o, 'module') ? { module: str(o, 'module') } : {}),
    ...(str(o, 'token') ? { token: str(o, 'token') } : {}),
    ...(str(o, 'cert') ? { cert: str(o, 'cert') } : {}),
    chainFiles: (o.chain as string[] | undefined) ?? [],
  }, io.env, () => readPin(io, pinSourceFrom(o)));
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const results = await sign.signItems(items, {
      signer: session.signer,
      level,
      ...(tsa ? { tsa } : {}),
      ...(str(o, 'reason') ? { reason: str(o, 'reason') } : {}),
      ...(str(o, 'location') ? { location: str(o, 'location') } : {}),
      ...(certifyText ? { certify: Number(certifyText) as 1 | 2 | 3 } : {}),
      appearance,
      ...(placement ? { placement } : {}),
      allowFallback: o['allow-fallback'] === true,
      overwrite: o.overwrite === true,
      signal: abort.signal,
    });
    for (const r of results) {
      if (o.json) io.out(JSON.stringify(resultJson(r, io, sign)) + '\n');
      else if (r.status === 'signed') io.out(tr(io, 'sign.cli.signed', { input: r.input, output: r.output, level: r.level ?? '' }) + '\n');
      else if (r.status === 'skipped') io.out(tr(io, 'sign.cli.skipped', { input: r.input, output: r.output }) + '\n');
      else io.err(tr(io, 'sign.cli.failed', { input: r.input, message: sign.resultError(r, io.lang)?.message ?? tr(io, 'error.internal', { detail: r.status }) }) + '\n');
      if (!o.json) for (const w of sign.resultWarnings(r, io.lang)) io.err(w + '\n');
    }
    return results.every((r) => r.status === 'signed' || r.status === 'skipped') ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    await session.close();
  }
}

/** The `sign` subcommand. */
export const signCommand: Command = { name: 'sign', summaryKey: 'cli.cmd.sign', run };
