/**
 * The validator's byte-level CMS reader (main/validation/cms-parse.ts) against pkijs as the
 * oracle, on SignedData made by `openssl cms` in every shape a PDF signature can have (DER,
 * BER with indefinite lengths, no signed attributes, signer named by key identifier,
 * encapsulated content, RSA-PSS and ECDSA, two signers), and on broken input.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCms, type SignedDataInfo } from '../../../main/validation/cms-parse.js';
import { checkCms } from '../../../main/validation/cms.js';
import { readTlv } from '../../../main/validation/ber.js';
import { run } from '../../bed/run.js';
import { createLocalPki, type LocalPki } from '../../integration/signing/local-pki.js';

let dir: string;
let pki: LocalPki;
let content: string;
const content256 = (): Buffer => createHash('sha256').update(Buffer.from('the signed bytes\n'.repeat(50))).digest();

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-cms-parse-'));
  pki = await createLocalPki(path.join(dir, 'pki'));
  content = path.join(dir, 'content.bin');
  writeFileSync(content, 'the signed bytes\n'.repeat(50));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `openssl cms -sign` with the given extra arguments (DER output). */
async function opensslCms(extra: string[], signers: Array<'rsa' | 'ec'> = ['rsa']): Promise<Buffer> {
  const who = signers.flatMap((s) => ['-signer', pki[s].cert, '-inkey', pki[s].key]);
  const { stdout } = await run('openssl', ['cms', '-sign', '-binary', '-in', content, ...who, '-certfile', pki.intermediate.cert, '-outform', 'DER', '-md', 'sha256', ...extra]);
  return stdout;
}

const hex = (b: ArrayBuffer | Uint8Array): string => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');

/** What pkijs reads from the same bytes, in the shape of SignedDataInfo. */
function oracle(der: Buffer): unknown {
  const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(der)).result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  const alg = (a: pkijs.AlgorithmIdentifier) => ({ algorithmId: a.algorithmId, params: a.algorithmParams ? hex(a.algorithmParams.toBER()) : undefined });
  const attrs = (list: pkijs.Attribute[] | undefined) => list?.map((a) => ({ type: a.type, values: a.values.map((v) => hex(v.toBER())) }));
  const octets = (os: asn1js.OctetString): string => (os.valueBlock.isConstructed ? os.valueBlock.value.map((c) => octets(c as asn1js.OctetString)).join('') : hex(os.valueBlock.valueHexView));
  return {
    version: sd.version,
    digestAlgorithms: sd.digestAlgorithms.map(alg),
    eContentType: sd.encapContentInfo.eContentType,
    eContent: sd.encapContentInfo.eContent ? octets(sd.encapContentInfo.eContent) : undefined,
    certs: (sd.certificates ?? []).map((c) => hex((c as pkijs.Certificate).toSchema().toBER())),
    signerInfos: sd.signerInfos.map((si) => ({
      version: si.version,
      sid: si.sid instanceof pkijs.IssuerAndSerialNumber ? { issuer: hex(si.sid.issuer.toSchema().toBER()), serial: hex(si.sid.serialNumber.valueBlock.valueHexView) } : { ski: hex((si.sid as asn1js.OctetString).valueBlock.valueHexView) },
      digestAlgorithm: alg(si.digestAlgorithm),
      signedAttrs: si.signedAttrs ? { encoded: hex(si.signedAttrs.encodedValue), attributes: attrs(si.signedAttrs.attributes) } : undefined,
      signatureAlgorithm: alg(si.signatureAlgorithm),
      signature: hex(si.signature.valueBlock.valueHexView),
      unsignedAttrs: attrs(si.unsignedAttrs?.attributes),
    })),
  };
}

/** Ours, in the same plain shape. */
function ours(sd: SignedDataInfo): unknown {
  const alg = (a: { algorithmId: string; paramsDer?: Buffer }) => ({ algorithmId: a.algorithmId, params: a.paramsDer ? hex(a.paramsDer) : undefined });
  const attrs = (list: Array<{ type: string; values: Buffer[] }> | undefined) => list?.map((a) => ({ type: a.type, values: a.values.map(hex) }));
  return {
    version: sd.version,
    digestAlgorithms: sd.digestAlgorithms.map(alg),
    eContentType: sd.eContentType,
    eContent: sd.eContent ? hex(sd.eContent) : undefined,
    certs: sd.certs.map(hex),
    signerInfos: sd.signerInfos.map((si) => ({
      version: si.version,
      sid: 'ski' in si.sid ? { ski: hex(si.sid.ski) } : { issuer: hex(si.sid.issuer), serial: hex(si.sid.serial) },
      digestAlgorithm: alg(si.digestAlgorithm),
      signedAttrs: si.signedAttrs ? { encoded: hex(si.signedAttrs.encoded), attributes: attrs(si.signedAttrs.attributes) } : undefined,
      signatureAlgorithm: alg(si.signatureAlgorithm),
      signature: hex(si.signature),
      unsignedAttrs: attrs(si.unsignedAttrs),
    })),
  };
}

describe('parseCms reads what pkijs reads', () => {
  const shapes: Array<[string, string[], Array<'rsa' | 'ec'>]> = [
    ['DER, signed attributes', [], ['rsa']],
    ['CAdES: ESS signing-certificate-v2 (-cades)', ['-cades'], ['rsa']],
    ['CAdES in BER (-cades -stream)', ['-cades', '-stream'], ['rsa']],
    ['BER with indefinite lengths (-stream)', ['-stream'], ['rsa']],
    ['no signed attributes (-noattr)', ['-noattr'], ['rsa']],
    ['signer named by subject key identifier (-keyid)', ['-keyid'], ['rsa']],
    ['encapsulated content (-nodetach)', ['-nodetach'], ['rsa']],
    ['encapsulated content in BER chunks (-nodetach -stream)', ['-nodetach', '-stream'], ['rsa']],
    ['RSA-PSS', ['-keyopt', 'rsa_padding_mode:pss'], ['rsa']],
    ['ECDSA', [], ['ec']],
    ['two signers', [], ['rsa', 'ec']],
  ];
  it.each(shapes)('%s', async (_name, extra, signers) => {
    const der = await opensslCms(extra, signers);
    const sd = parseCms(Buffer.concat([der, Buffer.alloc(64)]));
    expect(ours(sd)).toEqual(oracle(der));
    // And the checks built on it verify what openssl signed (a DER SET may reorder signers).
    const found = new Set<string>();
    for (let i = 0; i < sd.signerInfos.length; i++) {
      const cms = checkCms(sd, () => content256(), i);
      const who = signers.find((s) => cms.signer?.der.equals(pki[s].der));
      expect(who).toBeDefined();
      found.add(who!);
      if (cms.noSignedAttrs) continue;
      expect(cms.digestOk).toBe(true);
      expect(cms.signatureOk).toBe(true);
      expect(cms.essCert).toBe(extra.includes('-cades') ? 'match' : 'absent');
    }
    expect(found.size).toBe(signers.length);
  });

  it('a changed signed attribute fails the signature, a changed certificate finds no signer', async () => {
    const der = await opensslCms([]);
    const sd = parseCms(der);
    const si = sd.signerInfos[0]!;
    const tampered = Buffer.from(si.signedAttrs!.encoded);
    tampered[tampered.length - 1]! ^= 1;
    expect(checkCms({ ...sd, signerInfos: [{ ...si, signedAttrs: { ...si.signedAttrs!, encoded: tampered } }] }, () => content256()).signatureOk).toBe(false);
    expect(checkCms({ ...sd, certs: sd.certs.filter((c) => !c.equals(pki.rsa.der)) }, () => content256()).signer).toBeUndefined();
    expect(checkCms(sd, () => Buffer.alloc(32)).digestOk).toBe(false);
  });
});

describe('parseCms refuses what is not a SignedData', () => {
  it('every truncation, and a wrong tag at each structural element, throws an Error', async () => {
    const der = await opensslCms([]);
    for (let n = 0; n < der.length; n += 7) expect(() => parseCms(der.subarray(0, n)), `truncated at ${n}`).toThrow(Error);
    // The identifier octet of every element down to the SignerInfo fields.
    const starts: number[] = [];
    const walk = (pos: number, end: number, depth: number) => {
      while (pos < end && depth < 5) {
        const t = readTlv(der, pos);
        starts.push(t.start);
        if (t.constructed) walk(t.content, t.contentEnd, depth + 1);
        pos = t.end;
      }
    };
    walk(0, der.length, 0);
    let refused = 0;
    for (const at of starts) {
      const bad = Buffer.from(der);
      bad[at] = 0x13; // PrintableString: nowhere valid in the envelope
      try {
        parseCms(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        refused++;
      }
    }
    // Only positions inside free-form values (names, attribute values) may still parse.
    expect(refused).toBeGreaterThan(starts.length / 2);
  });

  it('not SignedData, deep nesting and garbage are refused without a crash', () => {
    const data = Buffer.from('3011' + '06092a864886f70d010701' + 'a004' + '04020000', 'hex'); // ContentInfo(data)
    expect(() => parseCms(data)).toThrow(/not SignedData/);
    const deep = Buffer.concat([Buffer.alloc(20_000, 0x30).map((_, i) => (i % 2 ? 0x80 : 0x30)), Buffer.alloc(20_000)]);
    expect(() => parseCms(deep)).toThrow(Error);
    for (let i = 0; i < 200; i++) {
      const junk = Buffer.from(Array.from({ length: 64 }, (_, j) => (i * 131 + j * 17) & 0xff));
      expect(() => parseCms(junk)).toThrow(Error);
    }
  });
});
