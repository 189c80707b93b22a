/**
 * `kyso sign` / `kyso extend` end to end with a real SoftHSM2 token from the test bed (key
 * generated on the token, one PIN per batch), the bed's TSA/OCSP/CRL, and pdfsig/qpdf/openssl.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run.js';
import { createTestBed, type TestBed } from '../../bed/index.js';
import { isTimestampToken, opensslTsVerify, opensslVerify, pdfsig, pdfsigBlocks, qpdfCheck, signaturesOf } from './oracles.js';

const FIXTURE = path.resolve('test/fixtures/cong-van-mau.pdf');
let bed: TestBed;
let work: string;

beforeAll(async () => {
  bed = await createTestBed();
  work = path.join(bed.dir, 'sign-cli');
  mkdirSync(work);
});
afterAll(async () => {
  await bed?.close();
});

async function kyso(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(['--lang', 'en', ...args], {
    env: { ...process.env, ...bed.env, KYSO_TEST_PIN: bed.tokens.official.pin, ...env },
    out: (t) => (out += t),
    err: (t) => (err += t),
    isTty: false,
  });
  return { code, out, err };
}

const tokenArgs = () => ['--module', bed.module, '--token', bed.tokens.official.label, '--cert', 'Nguyễn Văn An', '--pin-env', 'KYSO_TEST_PIN', '--chain', bed.chainPath];

async function expectAllValid(file: string, total: boolean): Promise<void> {
  const report = await pdfsig(file, bed.nssDir);
  const blocks = pdfsigBlocks(report);
  const sigs = signaturesOf(file);
  expect(blocks.length, report).toBe(sigs.length);
  blocks.forEach((b, i) => {
    if (isTimestampToken(sigs[i]!.cms)) expect(b, report).toContain('Signature Type: unknown');
    else expect(b, report).toContain('Signature is Valid.');
  });
  if (total) expect(blocks.at(-1), report).toContain('Total document signed');
  expect(await qpdfCheck(file)).toMatch(/No syntax or stream encoding errors found/);
  const rootPem = bed.certs.root.certPath;
  for (const s of sigs) {
    if (isTimestampToken(s.cms)) expect(await opensslTsVerify(file, s, rootPem, work)).toContain('Verification: OK');
    else expect(await opensslVerify(file, s, rootPem, work)).toContain('Verification successful');
  }
}

describe('kyso sign with a SoftHSM2 token', () => {
  it('signs B-T with the token key, the certificate on the token and the bed TSA', async () => {
    const out = path.join(work, 'bt.pdf');
    const r = await kyso(['sign', FIXTURE, '-o', out, ...tokenArgs(), '--level', 'B-T', '--tsa', bed.urls.tsa, '--reason', 'Phê duyệt', '--json']);
    expect(r.code, r.err).toBe(0);
    const line = JSON.parse(r.out.trim()) as { status: string; level: string };
    expect(line).toMatchObject({ status: 'signed', level: 'B-T' });
    expect(r.out + r.err).not.toContain(bed.tokens.official.pin);
    await expectAllValid(out, true);
  });

  it('batch: one bad file does not stop the others, JSON per file, re-run skips finished outputs', async () => {
    const inDir = path.join(work, 'in');
    const outDir = path.join(work, 'out');
    mkdirSync(inDir);
    const files = ['a.pdf', 'b.pdf', 'bad.pdf', 'c.pdf'].map((f) => path.join(inDir, f));
    for (const f of files) copyFileSync(FIXTURE, f);
    writeFileSync(files[2]!, '%PDF-1.7\nthis is not a pdf\n');
    const r = await kyso(['sign', ...files, '--out-dir', outDir, ...tokenArgs(), '--json']);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { input: string; status: string; error?: { code: string; message: string } });
    expect(lines.map((l) => l.status)).toEqual(['signed', 'signed', 'failed', 'signed']);
    expect(lines[2]!.error?.code).toMatch(/^pdf/);
    expect(readdirSync(outDir).sort()).toEqual(['a.pdf', 'b.pdf', 'c.pdf']);
    for (const f of ['a.pdf', 'c.pdf']) await expectAllValid(path.join(outDir, f), true);
    const again = await kyso(['sign', files[0]!, files[1]!, '--out-dir', outDir, ...tokenArgs(), '--json']);
    expect(again.code).toBe(0);
    expect(again.out.trim().split('\n').map((l) => (JSON.parse(l) as { status: string }).status)).toEqual(['skipped', 'skipped']);
  });

  it('extend adds B-LT then B-LTA to a token-signed file', async () => {
    const src = path.join(work, 'bt.pdf');
    const lt = path.join(work, 'lt.pdf');
    const r1 = await kyso(['extend', src, '--level', 'B-LT', '-o', lt]);
    expect(r1.code, r1.err).toBe(0);
    expect(readFileSync(lt).toString('latin1')).toMatch(/\/OCSPs\s*\[/);
    await expectAllValid(lt, false);
    const r2 = await kyso(['extend', lt, '--level', 'B-LTA', '--tsa', bed.urls.tsa, '--json']);
    expect(r2.code, r2.err).toBe(0);
    await expectAllValid(lt, true);
    const prev = readFileSync(src);
    expect(readFileSync(lt).subarray(0, prev.length).equals(prev)).toBe(true);
  });

  it('a re-run skips a finished output only when it has the level asked for', async () => {
    const out = path.join(work, 'rerun.pdf');
    const status = async (level: string) => {
      const r = await kyso(['sign', FIXTURE, '-o', out, ...tokenArgs(), '--level', level, '--tsa', bed.urls.tsa, '--json']);
      expect(r.code, r.err).toBe(0);
      return (JSON.parse(r.out) as { status: string; level?: string });
    };
    expect(await status('B-B')).toMatchObject({ status: 'signed', level: 'B-B' });
    expect(await status('B-B')).toMatchObject({ status: 'skipped' });
    expect(await status('B-T')).toMatchObject({ status: 'signed', level: 'B-T' });
    expect(await status('B-T')).toMatchObject({ status: 'skipped' });
    expect(await status('B-LTA')).toMatchObject({ status: 'signed', level: 'B-LTA' });
    expect(await status('B-LT')).toMatchObject({ status: 'skipped' });
  });

  it('a P=1 certification at B-LTA: the document timestamp is allowed (ISO 32000-2), every signature valid', async () => {
    const out = path.join(work, 'certified-lta.pdf');
    const r = await kyso(['sign', FIXTURE, '-o', out, ...tokenArgs(), '--certify', '1', '--level', 'B-LTA', '--tsa', bed.urls.tsa]);
    expect(r.code, r.err).toBe(0);
    const v = await kyso(['verify', out, '--trust', bed.certs.root.certPath, '--json']);
    expect(v.code, v.out + v.err).toBe(0);
    const sigs = (JSON.parse(v.out) as { files: Array<{ signatures: Array<{ kind: string; indication: string }> }> }).files[0]!.signatures;
    expect(sigs.map((x) => [x.kind, x.indication])).toEqual([['signature', 'TOTAL_PASSED'], ['documentTimestamp', 'TOTAL_PASSED']]);
  });

  it('dead TSA: non-zero exit, clear message, nothing written', async () => {
    const out = path.join(work, 'dead.pdf');
    const r = await kyso(['sign', FIXTURE, '-o', out, ...tokenArgs(), '--level', 'B-T', '--tsa', bed.urls.deadTsa]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('timestamp server');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes('.kyso-'))).toEqual([]);
  });

  it('refuses bad arguments with clear errors', async () => {
    expect((await kyso(['sign', FIXTURE, ...tokenArgs()])).err).toContain('-o OUT');
    expect((await kyso(['sign', FIXTURE, '-o', 'x.pdf', '--level', 'B-X'])).err).toContain('--level');
    expect((await kyso(['sign', FIXTURE, '-o', 'x.pdf', '--rect', '1,2,3'])).err).toContain('--rect');
    expect((await kyso(['sign', FIXTURE, FIXTURE, '-o', 'x.pdf'])).err).toContain('--out-dir');
    expect((await kyso(['sign', FIXTURE, '-o', ''])).err).toContain('-o');
    expect((await kyso(['sign', FIXTURE, '-o', 'x.pdf', '--rect', '0,0,1e308,1e308'])).err).toContain('--rect');
  });

  it('bad paths: a FIFO input, a --chain that is no certificate, an --out-dir over a file: clear errors, nothing written', async () => {
    const fifo = path.join(work, 'pipe.pdf');
    execFileSync('mkfifo', [fifo]);
    const fromFifo = await kyso(['sign', fifo, '-o', path.join(work, 'pipe-out.pdf'), ...tokenArgs()]);
    expect(fromFifo.code).toBe(1);
    expect(fromFifo.err).toContain(`${fifo} is not a regular file`);
    const extendFifo = await kyso(['extend', fifo, '--level', 'B-LT', '-o', path.join(work, 'pipe-out.pdf')]);
    expect([extendFifo.code, extendFifo.err]).toEqual([1, expect.stringContaining(`${fifo} is not a regular file`) as unknown as string]);

    const notCert = path.join(work, 'not-a-cert.pem');
    writeFileSync(notCert, 'xin chào');
    const badChain = await kyso(['sign', FIXTURE, '-o', path.join(work, 'chain-out.pdf'), ...tokenArgs(), '--chain', notCert]);
    expect(badChain.code).toBe(1);
    expect(badChain.err).toContain(`The file ${notCert} holds no readable certificate`);

    const overFile = await kyso(['sign', FIXTURE, '--out-dir', FIXTURE, ...tokenArgs()]);
    expect(overFile.code).toBe(1);
    expect(overFile.err).toContain(`Could not write ${FIXTURE}`);
    expect(readdirSync(work).filter((f) => /pipe-out|chain-out|\.kyso-/.test(f))).toEqual([]);
  });
});
