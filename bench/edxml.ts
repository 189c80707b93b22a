/**
 * edXML field-signature benchmark: a package as the field writes it (attachment block prefixed
 * out of scope, RSA-SHA1 enveloped signature over the whole document, signed by xmlsec1) is
 * verified by `kyso edxml verify` (the real CLI: streaming canonicalization of the tail) and
 * by `xmlsec1 --verify` (libxml2: the whole document in memory), side by side: wall time and
 * peak memory (VmHWM). KYSO_BENCH_EDXML_MB lists the package sizes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

async function template(file: string, attachmentMb: number): Promise<void> {
  const w = createWriteStream(file);
  const put = async (s: string) => {
    if (!w.write(s)) await once(w, 'drain');
  };
  await put(`<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="${NS}"><edXML:edXMLEnvelope xmlns:edXML="${NS}"><edXML:edXMLHeader><edXML:MessageHeader>` +
    '<edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:OrganName>UBND tỉnh thử</edXML:OrganName></edXML:From>' +
    '<edXML:To><edXML:OrganId>000.00.00.H49</edXML:OrganId><edXML:OrganName>UBND tỉnh Quảng Nam</edXML:OrganName></edXML:To>' +
    '<edXML:Code><edXML:CodeNumber>1</edXML:CodeNumber><edXML:CodeNotation>BC</edXML:CodeNotation></edXML:Code>' +
    '<edXML:PromulgationInfo><edXML:Place>Vinh</edXML:Place><edXML:PromulgationDate>2026/03/05</edXML:PromulgationDate></edXML:PromulgationInfo>' +
    '<edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeDetail>9</edXML:TypeDetail><edXML:TypeName>Báo cáo</edXML:TypeName></edXML:DocumentType>' +
    '<edXML:Subject>Hồ sơ quét</edXML:Subject><edXML:SignerInfo><edXML:Position>Chủ tịch</edXML:Position><edXML:FullName>Lê Văn Thử</edXML:FullName></edXML:SignerInfo></edXML:MessageHeader>' +
    '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>' +
    '<SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/><Reference URI=""><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms>' +
    '<DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><DigestValue/></Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data/></KeyInfo></Signature>' +
    '</edXML:edXMLHeader></edXML:edXMLEnvelope>\n<edXML:AttachmentEncoded><edXML:Attachment><edXML:ContentId>scan</edXML:ContentId><edXML:AttachmentName>scan.pdf</edXML:AttachmentName>' +
    '<edXML:ContentType>application/pdf</edXML:ContentType><edXML:ContentTransferEncoded>\n');
  const block = Buffer.alloc(57 * 16384);
  for (let i = 0; i < block.length; i++) block[i] = (i * 7919) & 0xff;
  block.write('%PDF-1.7\n');
  const blocks = Math.ceil((attachmentMb << 20) / block.length);
  for (let i = 0; i < blocks; i++) {
    block[20] = i & 0xff;
    // 76 base64 characters per line (57 bytes), as encoders in the field write it.
    const b64 = block.toString('base64').replace(/.{76}/g, '$&\n');
    await put(b64);
  }
  await put('</edXML:ContentTransferEncoded></edXML:Attachment></edXML:AttachmentEncoded></edXML>\n');
  w.end();
  await once(w, 'finish');
}

/**
 * Wall time (s) and peak resident memory (MB, VmHWM polled from /proc every 10 ms: it only
 * grows, so the last reading before exit is the peak) of a command, with its exit status.
 */
async function measure(cmd: string, args: string[]): Promise<{ s: number; mb: number; status: number | null }> {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { stdio: 'ignore' });
  let hwmKb = 0;
  const poll = setInterval(() => {
    try {
      hwmKb = Math.max(hwmKb, Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0));
    } catch {
      // The process has just exited.
    }
  }, 10);
  const [status] = (await once(child, 'exit')) as [number | null];
  clearInterval(poll);
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, mb: Math.round(hwmKb / 1024), status };
}

/** Runs the edXML benchmark and prints its results. */
export async function benchEdxml(): Promise<void> {
  const sizes = (process.env.KYSO_BENCH_EDXML_MB ?? '16,128').split(',').map(Number);
  const work = mkdtempSync(path.join(os.tmpdir(), 'kyso-bench-edxml-'));
  try {
    const key = path.join(work, 'key.pem');
    const cert = path.join(work, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=bench', '-keyout', key, '-out', cert], { stdio: 'pipe' });
    const bin = path.join(import.meta.dirname, '..', 'bin', 'kyso.js');
    console.log('attachment MB | package MB | kyso edxml verify s | kyso peak MB | xmlsec1 --verify s | xmlsec1 peak MB');
    for (const mb of sizes) {
      const tpl = path.join(work, `tpl-${mb}.xml`);
      const file = path.join(work, `field-${mb}.edxml`);
      await template(tpl, mb);
      execFileSync('xmlsec1', ['--sign', '--privkey-pem', `${key},${cert}`, '--output', file, tpl], { stdio: 'pipe' });
      rmSync(tpl);
      const k = await measure(process.execPath, [bin, 'edxml', 'verify', file]);
      const x = await measure('xmlsec1', ['--verify', '--pubkey-cert-pem', cert, file]);
      // verify exits 4: valid with a weak legacy algorithm (RSA-SHA1); xmlsec1 exits 0 when valid.
      if (k.status !== 4 || x.status !== 0) throw new Error(`unexpected verdicts: kyso ${k.status}, xmlsec1 ${x.status}`);
      console.log(`${mb} | ${(statSync(file).size / 2 ** 20).toFixed(1)} | ${k.s.toFixed(2)} | ${k.mb} | ${x.s.toFixed(2)} | ${x.mb}`);
      rmSync(file);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
