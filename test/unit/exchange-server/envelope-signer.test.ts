/**
 * The raw-bytes signer scan (server/envelope-signer.ts) finds exactly the certificate the
 * verifier (readPackage) reports, however the bytes are split, and is not fooled by a decoy
 * certificate in a comment, a CDATA section or an element off the Signature's path.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPackage, writePackage } from '../../../main/exchange/edxml/index.js';
import type { Signer } from '../../../main/pki/signer.js';
import { EnvelopeSignerScanner, signerCheckedFirst } from '../../../server/envelope-signer.js';
import { testSigner } from '../exchange-edxml/keys.js';

let dir: string;
let signer: Signer;
let decoy: Signer;
let pkg: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-envsig-'));
  [signer, decoy] = await Promise.all([testSigner('RSA', 'Người ký thật'), testSigner('EC', 'Mồi nhử')]);
  signer = { ...signer, chain: [decoy.certificate] };
  const file = path.join(dir, 'p.edxml');
  await writePackage({
    header: {
      from: { organId: '000.00.00.H49', organName: 'UBND' }, to: [{ organId: '000.00.01.H49', organName: 'Sở' }],
      code: { codeNumber: '1', codeNotation: 'QĐ' }, promulgationInfo: { place: 'X', promulgationDate: '2026/11/22' },
      documentType: { type: 1, typeDetail: 0, typeName: 'Quyết định' }, subject: 'Thử', signerInfo: { position: 'Văn thư', fullName: 'A' },
    },
    attachments: [{ meta: { contentId: 'a1', attachmentName: 'a.pdf' }, data: Buffer.from('%PDF-1.7\n%%EOF\n') }],
  }, signer, file);
  pkg = readFileSync(file);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

function scanAll(bytes: Buffer, size: number) {
  const s = new EnvelopeSignerScanner();
  for (let i = 0; i < bytes.length; i += size) {
    const r = s.push(bytes.subarray(i, i + size));
    if (r) return r;
  }
  return s.end();
}

/** The package with `text` inserted right after `<edXML:edXMLHeader>`. */
const withInHeader = (text: string) => Buffer.from(pkg.toString('utf8').replace('<edXML:edXMLHeader>', `<edXML:edXMLHeader>${text}`), 'utf8');

describe('signer scan of raw package bytes', () => {
  it('finds the verifier\'s certificate and chain at every chunk size, before the envelope ends', async () => {
    const verified = await readPackage([pkg], { tmpDir: dir, discardAttachments: true });
    for (const size of [1, 2, 3, 7, 64, 1000, pkg.length]) {
      const r = scanAll(pkg, size);
      expect(b64(r.certificate)).toBe(b64(verified.signerCertificate));
      expect(r.chain.map(b64)).toEqual(verified.signerChain.map(b64));
    }
    // Found as soon as the Signature is read: the rest of the envelope is not needed.
    const sigEnd = pkg.indexOf('</X509Data>') + '</X509Data>'.length;
    expect(b64(new EnvelopeSignerScanner().push(pkg.subarray(0, sigEnd))!.certificate)).toBe(b64(signer.certificate));
  });

  it('ignores decoy certificates in comments, CDATA, processing instructions and off-path elements', () => {
    const fake = `<X509Data xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Certificate>${b64(decoy.certificate)}</X509Certificate></X509Data>`;
    const decoys = [
      `<!-- <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><KeyInfo>${fake}</KeyInfo></Signature> -->`,
      `<edXML:Note><![CDATA[<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><KeyInfo>${fake}</KeyInfo></Signature>]]></edXML:Note>`,
      `<?pi <Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><KeyInfo>${fake}</KeyInfo></Signature> ?>`,
      `<edXML:Other><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyInfo>${fake}</ds:KeyInfo></ds:Signature></edXML:Other>`,
      // Right names, wrong namespace.
      `<Signature xmlns="urn:not-dsig"><KeyInfo><X509Data><X509Certificate>${b64(decoy.certificate)}</X509Certificate></X509Data></KeyInfo></Signature>`,
      `<edXML:Attr note="&lt;X509Certificate&gt;${b64(decoy.certificate)}&lt;/X509Certificate&gt; > still an attribute"/>`,
    ];
    for (const d of decoys) expect(b64(scanAll(withInHeader(d), 5).certificate), d.slice(0, 40)).toBe(b64(signer.certificate));
  });

  it('reads certificates with entity-encoded line breaks and a prefixed dsig namespace', () => {
    const cert = b64(signer.certificate);
    const wrapped = `${cert.slice(0, 64)}&#13;&#10;${cert.slice(64)}`;
    const text = pkg.toString('utf8');
    const sigStart = text.indexOf('<Signature');
    const sigEnd = text.indexOf('</Signature>') + '</Signature>'.length;
    const prefixed = text.slice(sigStart, sigEnd)
      .replace('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"', '<d:Signature xmlns:d="http://www.w3.org/2000/09/xmldsig#"')
      .replace(/<(\/?)(SignedInfo|CanonicalizationMethod|SignatureMethod|Reference|Transforms|Transform|XPath|DigestMethod|DigestValue|SignatureValue|KeyInfo|X509Data|X509Certificate|Signature)\b/g, '<$1d:$2')
      .replace(`<d:X509Certificate>${cert}`, `<d:X509Certificate>${wrapped}`);
    const r = scanAll(Buffer.from(text.slice(0, sigStart) + prefixed + text.slice(sigEnd)), 11);
    expect(b64(r.certificate)).toBe(cert);
  });

  it('refuses bytes that hold no signer where the verifier looks, and a DOCTYPE', () => {
    const text = pkg.toString('utf8');
    const noSig = text.slice(0, text.indexOf('<Signature')) + text.slice(text.indexOf('</Signature>') + '</Signature>'.length);
    expect(() => scanAll(Buffer.from(noSig), 100)).toThrow(/edxmlSignatureInvalid/);
    expect(() => scanAll(Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><x/>'), 100)).toThrow(/edxmlMalformed/);
    expect(() => scanAll(Buffer.from('<html><body/></html>'), 100)).toThrow(/edxmlMalformed/);
    expect(() => scanAll(pkg.subarray(0, 200), 50)).toThrow(/edxmlMalformed/);
  });

  it('holds the body until the check accepts the signer, then passes every byte on unchanged', async () => {
    const seen: string[] = [];
    async function* chunks() {
      for (let i = 0; i < pkg.length; i += 97) yield pkg.subarray(i, i + 97);
    }
    const out: Buffer[] = [];
    for await (const c of signerCheckedFirst(chunks(), 1 << 20, async (s) => void seen.push(b64(s.certificate)))) out.push(c);
    expect(seen).toEqual([b64(signer.certificate)]);
    expect(Buffer.concat(out).equals(pkg)).toBe(true);
    const refused = signerCheckedFirst(chunks(), 1 << 20, async () => {
      throw new Error('not a registered user of the sending body');
    });
    await expect((async () => {
      for await (const c of refused) void c;
    })()).rejects.toThrow('not a registered user');
  });
});

describe('a trickled upload costs time linear in its size', () => {
  /** The signer `signerCheckedFirst` hands to the check when `bytes` arrive `size` bytes at a time. */
  async function trickle(bytes: Buffer, size: number): Promise<string> {
    async function* pieces() {
      for (let i = 0; i < bytes.length; i += size) {
        // Back to the event loop now and then, as a socket does (and so the test's timeout can fire).
        if (i % (size << 10) === 0) await new Promise((r) => setImmediate(r));
        yield bytes.subarray(i, i + size);
      }
    }
    let seen = '';
    for await (const c of signerCheckedFirst(pieces(), 4 << 20, async (s) => void (seen = b64(s.certificate)))) void c;
    return seen;
  }

  // Each piece used to be searched together with everything still pending before it (a long
  // text, comment or tag): 2 MiB in 32-byte pieces took minutes of one server's event loop.
  it.each([
    ['text', `<edXML:Note>${'x'.repeat(2 << 20)}</edXML:Note>`],
    ['comment', `<!--${'x'.repeat(2 << 20)}-->`],
    ['tag', `<edXML:Note a="${'x'.repeat(2 << 20)}"/>`],
    ['CDATA', `<edXML:Note><![CDATA[${'x'.repeat(2 << 20)}]]></edXML:Note>`],
  ])('2 MiB of %s before the Signature, in 32-byte pieces', async (_k, filler) => {
    expect(await trickle(withInHeader(filler), 32)).toBe(b64(signer.certificate));
  }, 30_000);
});
