/**
 * Field packages arriving in an inbox: every field the reader finds lands in the incoming
 * register (store rows, the contract the renderer reads, the CSV and `kyso inbox`); an
 * unsigned package is registered and shown as unsigned, never as signed; one whose signature
 * does not verify is refused. Answering a document known by an opaque DocumentId works.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incomingDocSchema, incomingFileSchema } from '../../../main/api/contract/exchange.js';
import { runCli } from '../../../main/cli/run.js';
import { acceptIncoming } from '../../../main/exchange/client/actions.js';
import { InboxSync } from '../../../main/exchange/client/sync.js';
import { parseStatus, STATUS_DESCRIPTIONS, writePackage } from '../../../main/exchange/edxml/index.js';
import { incomingCsv, openStore, type Store } from '../../../main/store/index.js';
import { fieldInboxApi, noPdfSignatures } from './field-inbox.js';
import { testSigner } from './keys.js';
import { receivedFileView } from '../../../main/files/doc-types.js';

const FIX = 'test/fixtures/edxml';
let home: string;
let store: Store;
const files: string[] = [];

async function kyso(argv: string[], lang: 'vi' | 'en' = 'vi') {
  let out = '';
  let err = '';
  const code = await runCli(['--lang', lang, ...argv], { env: { KYSO_HOME: home }, out: (t) => (out += t), err: (t) => (err += t), isTty: false });
  return { code, out, err };
}

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'kyso-edxml-arrival-'));
  store = openStore(home);
  const kysoPkg = path.join(home, 'kyso.edxml');
  await writePackage({
    header: {
      from: { organId: '000.00.00.H49', organName: 'UBND tỉnh Quảng Nam' }, to: [{ organId: '000.00.01.H49', organName: 'Sở Tài chính' }],
      code: { codeNumber: '7', codeNotation: 'CV-UBND' }, promulgationInfo: { place: 'Tam Kỳ', promulgationDate: '2026/11/22' },
      documentType: { type: 1, typeDetail: 3, typeName: 'Công văn' }, subject: 'Gói do Kyso ký', signerInfo: { position: 'Chủ tịch', fullName: 'Nguyễn Văn Á' },
    },
    attachments: [{ meta: { contentId: 'a', attachmentName: 'a.pdf' }, data: Buffer.from('%PDF-1.7\n%%EOF\n') }],
  }, await testSigner('RSA', 'Văn thư Kyso'), kysoPkg);
  const tampered = path.join(home, 'tampered.edxml');
  writeFileSync(tampered, readFileSync(`${FIX}/field-rsa-sha1-prefix-out-of-scope.edxml`, 'latin1').replace('<edXML:Mobile>0912000000', '<edXML:Mobile>0912000001'), 'latin1');
  files.push(`${FIX}/field-unprefixed-foreign-signature.edxml`, `${FIX}/field-rsa-sha1-prefix-out-of-scope.edxml`, `${FIX}/field-mime-mismatch-no-manifest.edxml`, `${FIX}/field-leading-bytes.edxml`, kysoPkg, tampered);
  const r = await new InboxSync(store, home, fieldInboxApi('https://truc.example.gov.vn', files), noPdfSignatures).sync();
  expect(r.received).toBe(5);
});
afterAll(() => {
  store?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('field packages in the incoming register', () => {
  it('an unsigned package is registered as unsigned, with everything the reader found', () => {
    const d = store.incoming.require('field-1');
    expect(d).toMatchObject({
      fromCode: 'vxp.saas.03', fromName: 'Cổng trục liên thông (hệ thống thử nghiệm)', documentId: '5f0c2a6e-8d1b-4c3e-9a47-2b9e61d0c7aa',
      number: '88', notation: 'TB-VPCP', type: 'Thông báo', subject: 'Thông báo kết luận của Thủ tướng (bản thay thế)', state: 'arrived',
      signatureState: 'unsigned', signatureAlgorithm: null, signer: null, promulgationDate: '2026/04/01',
      bussinessDocType: 3, bussinessReason: 'Thay thế văn bản gửi nhầm ngày 31/3',
      traces: [{ organId: 'vxp.saas.03', timestamp: '2026/04/01 14:02:09' }],
      packageNotes: [{ code: 'signatureNotXmlDsig', params: { namespace: 'http://www.mic.gov.vn/TBT/QCVN_102_2016' } }],
    });
    expect(store.incoming.files('field-1')).toEqual([expect.objectContaining({ name: '88-TB-VPCP.pdf', contentType: 'application/pdf', detectedType: 'application/pdf' })]);
  });

  it('RSA-SHA1 packages are registered as valid with a weak algorithm, with the signer, trace headers, business block and notes', () => {
    expect(store.incoming.require('field-2')).toMatchObject({
      fromCode: '000.00.00.H41', documentId: '000.00.00.H41,2026/03/05,1234/UBND-VX', signatureState: 'valid-weak-algorithm', signatureAlgorithm: 'RSA-SHA1',
      signer: 'Văn thư thử nghiệm (fixture edXML)', promulgationDate: '2026/03/05', bussinessDocType: 2, bussinessReason: 'Cập nhật phụ lục kèm theo',
      traces: [{ organId: '000.00.00.H41', timestamp: '2026/03/05 08:30:00' }, { organId: '000.00.00.G22', timestamp: '2026/03/05 08:31:12' }],
      packageNotes: [{ code: 'prefixOutOfScope', params: { prefix: 'edXML', element: 'AttachmentEncoded' } }],
    });
    expect(store.incoming.require('field-4').packageNotes.map((n) => n.code)).toEqual(['leadingBytes', 'prefixOutOfScope']);
  });

  it('the sniffed type of a mislabelled file is kept beside the declared one', () => {
    expect(store.incoming.require('field-3')).toMatchObject({ signatureState: 'valid', signatureAlgorithm: 'RSA-SHA256' });
    expect(store.incoming.files('field-3')).toEqual([expect.objectContaining({ name: 'Phu luc 01.doc', contentType: 'application/zip', detectedType: 'application/msword' })]);
  });

  it("Kyso's own package is valid (its profile, RSA-SHA256) and a tampered one is refused, stored nowhere", () => {
    expect(store.incoming.require('field-5')).toMatchObject({ signatureState: 'valid', signatureAlgorithm: 'RSA-SHA256', signer: 'Văn thư Kyso', packageNotes: [] });
    expect(store.incoming.get('field-6')).toBeUndefined();
    expect(store.failures.list()).toEqual([expect.objectContaining({ messageId: 'field-6', errorCode: 'edxmlSignatureInvalid' })]);
  });

  it('the rows pass the contract the renderer reads', () => {
    for (const id of ['field-1', 'field-2', 'field-3', 'field-4', 'field-5']) {
      expect(() => incomingDocSchema.parse(store.incoming.require(id)), id).not.toThrow();
      // exchange:inboxShow adds the display name, the type found and whether it opens.
      for (const f of store.incoming.files(id)) expect(() => incomingFileSchema.parse(receivedFileView(f)), id).not.toThrow();
    }
  });

  it('the register export and kyso inbox say unsigned, never signed', async () => {
    const csv = incomingCsv(store.incoming.list({}));
    const line = csv.split('\r\n').find((l) => l.includes('field-1'))!;
    expect(line).toContain('Không ký số');
    expect(line).not.toContain('Hợp lệ');
    const list = await kyso(['inbox', 'list']);
    expect(list.code).toBe(0);
    expect(list.out.split('\n').find((l) => l.includes('field-1'))?.split('\t').pop()).toBe('unsigned');
    const show = await kyso(['inbox', 'show', 'field-1']);
    expect(show.out).toContain('Chữ ký số gói tin: Không ký số');
    const en = await kyso(['inbox', 'show', 'field-2'], 'en');
    expect(en.out).toContain('Package signature: Valid, but with a weak legacy algorithm (RSA-SHA1)');
  });

  it('accepting a document known by an opaque DocumentId answers in the library shape with the right reference', async () => {
    const posted: Array<{ messageId: string; xml: string }> = [];
    const doc = await acceptIncoming({ store, api: fieldInboxApi('https://truc.example.gov.vn', files, posted), signer: await testSigner('RSA'), org: { code: '000.00.00.H49', name: 'UBND tỉnh Quảng Nam' } }, 'field-1');
    expect(doc).toMatchObject({ state: 'accepted', statusCode: '03' });
    expect(posted).toHaveLength(1);
    expect(posted[0]!.xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<edXML xmlns="http:\/\/www.mic.gov.vn\/TBT\/QCVN_102_2016"><edXML:edXMLEnvelope xmlns:edXML=/);
    const s = await parseStatus(posted[0]!.xml);
    expect(s).toMatchObject({
      shape: 'messageHeader', statusCode: '03', description: STATUS_DESCRIPTIONS['03'],
      responseFor: { organId: 'vxp.saas.03', code: '88/TB-VPCP', documentId: '5f0c2a6e-8d1b-4c3e-9a47-2b9e61d0c7aa', promulgationDate: '2026/04/01' },
    });
    expect(s.timestamp).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
  });
});
