/**
 * `kyso sign IN.pdf... (-o OUT.pdf | --out-dir DIR | --overwrite) [options]` (the options and
 * their help texts: `options` below). One PIN for all files; one result per file; exit 1
 * when any file failed.
 */
import path from 'node:path';
import { KysoError } from '../../api/errors.js';
import type { BatchResult } from '../../signing/batch.js';
import type { AppearanceOptions, PadesLevel, Placement, SignatureRole } from '../../signing/types.js';
import { prepareSignOutputs, tsaConfig, type SignItem } from '../../services/sign-plan.js';
import { tr, type CliIo } from '../io.js';
import { defineCommand, str, type OptionSpecs, type ParsedArgs } from '../spec.js';
import { pinOptions, pinSourceFrom, readPin } from '../pin.js';
import { documentPassword, passwordOptions } from '../doc-password.js';

const LEVELS = ['B-B', 'B-T', 'B-LT', 'B-LTA'];
const ROLES = ['approval', 'issuing', 'attachment', 'copy', 'incoming', 'initials', 'invisible'];
const COPY_FORMS = ['SAO Y', 'SAO LỤC', 'TRÍCH SAO'];

const options: OptionSpecs = {
  out: { type: 'string', short: 'o', value: 'OUT.pdf', help: 'cli.opt.sign.out' },
  'out-dir': { type: 'string', value: 'DIR', help: 'cli.opt.sign.out-dir' },
  overwrite: { type: 'boolean', help: 'cli.opt.sign.overwrite' },
  module: { type: 'string', value: 'PATH', help: 'cli.opt.module' },
  token: { type: 'string', value: 'LABEL', help: 'cli.opt.token' },
  cert: { type: 'string', value: 'SERIAL|SUBJECT', help: 'cli.opt.cert' },
  chain: { type: 'string', multiple: true, value: 'FILE', help: 'cli.opt.sign.chain' },
  ...pinOptions('pin'),
  ...passwordOptions,
  level: { type: 'string', value: LEVELS.join('|'), help: 'cli.opt.sign.level' },
  tsa: { type: 'string', value: 'URL', help: 'cli.opt.sign.tsa' },
  'allow-fallback': { type: 'boolean', help: 'cli.opt.sign.allow-fallback' },
  role: { type: 'string', value: ROLES.join('|'), help: 'cli.opt.sign.role' },
  page: { type: 'string', value: 'N', help: 'cli.opt.sign.page' },
  rect: { type: 'string', value: 'X,Y,W,H', help: 'cli.opt.sign.rect' },
  anchor: { type: 'string', value: 'TEXT', help: 'cli.opt.sign.anchor' },
  image: { type: 'string', value: 'PNG', help: 'cli.opt.sign.image' },
  seal: { type: 'string', value: 'PNG', help: 'cli.opt.sign.seal' },
  org: { type: 'string', value: 'TEXT', help: 'cli.opt.sign.org' },
  'doc-number': { type: 'string', value: 'TEXT', help: 'cli.opt.sign.doc-number' },
  'doc-date': { type: 'string', value: 'TEXT', help: 'cli.opt.sign.doc-date' },
  'copy-form': { type: 'string', value: COPY_FORMS.map((f) => `"${f}"`).join('|'), help: 'cli.opt.sign.copy-form' },
  'arrival-number': { type: 'string', value: 'TEXT', help: 'cli.opt.sign.arrival-number' },
  'arrival-date': { type: 'string', value: 'TEXT', help: 'cli.opt.sign.arrival-date' },
  reason: { type: 'string', value: 'TEXT', help: 'cli.opt.sign.reason' },
  location: { type: 'string', value: 'TEXT', help: 'cli.opt.sign.location' },
  certify: { type: 'string', value: '1|2|3', help: 'cli.opt.sign.certify' },
  json: { type: 'boolean', help: 'cli.opt.json' },
};

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

async function run({ options: o, positionals }: ParsedArgs, io: CliIo): Promise<number> {
  const items = itemsFrom(positionals, o);
  const level = oneOf<PadesLevel>(str(o, 'level'), LEVELS, '--level') ?? 'B-B';
  const certifyText = oneOf<'1' | '2' | '3'>(str(o, 'certify'), ['1', '2', '3'], '--certify');
  const placement = placementFrom(o);
  const appearance = appearanceFrom(o, placement?.rect !== undefined || placement?.anchor !== undefined);
  const tsa = tsaConfig(str(o, 'tsa'), io.env);
  if (level !== 'B-B' && !tsa) throw new KysoError('signTsaRequired', { level });
  const password = await documentPassword(io, o);
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
      ...(password !== undefined ? { password } : {}),
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
export const signCommand = defineCommand({
  name: 'sign',
  summaryKey: 'cli.cmd.sign',
  args: 'IN.pdf... (-o OUT.pdf | --out-dir DIR | --overwrite)',
  options,
  noteKey: 'cli.note.pin',
  examples: [
    'kyso sign cong-van.pdf -o cong-van-da-ky.pdf --pin-env KYSO_PIN',
    'kyso sign *.pdf --out-dir da-ky --level B-LT --tsa http://tsa.example.vn --role issuing --anchor "CHỦ TỊCH"',
    'kyso sign quyet-dinh.pdf --overwrite --module /usr/lib/libvnpt-ca.so --token "VNPT-CA" --page 1 --rect 350,80,180,70',
  ],
  run,
});
