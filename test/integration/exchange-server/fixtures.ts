/** Shared fixtures of the server tests: orgs, users with bed-issued software keys, package builders. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writePackage, buildStatus, type PackageInput } from '../../../main/exchange/edxml/index.js';
import type { StatusCode } from '../../../main/exchange/protocol.js';
import type { Signer } from '../../../main/pki/signer.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { BedCert, TestBed } from '../../bed/index.js';

/** Organizations of the test province. */
export const ORGS = {
  A: { code: '000.00.00.H49', name: 'UBND tỉnh Thử Nghiệm' },
  B: { code: '000.00.01.H49', name: 'Sở Tài chính' },
  C: { code: '000.00.02.H49', name: 'Sở Nội vụ' },
  D: { code: '000.01.02.H49', name: 'UBND xã Hòa Bình' },
} as const;

/** A software Signer for a bed certificate with its software key. */
export function signerOf(bed: TestBed, cert: BedCert): Signer {
  return softwareSigner(readFileSync(cert.keyPath!), cert.der, [bed.certs.issuing.der]);
}

/** Issues a user certificate with a software key. */
export async function issueUser(bed: TestBed, name: string, cn: string): Promise<BedCert> {
  const c = await bed.pki.issue({ name, profile: 'official', subject: [['C', 'VN'], ['O', 'Kyso Thử Nghiệm'], ['CN', cn]] });
  return bed.loadCert(c);
}

let counter = 0;

/** Writes a small signed package from `from` to `to` into dir; returns its path and document id. */
export async function makePackage(dir: string, signer: Signer, from: { code: string; name: string }, to: { code: string; name: string }[], extra: { body?: Buffer; number?: string } = {}): Promise<{ file: string; documentId: string }> {
  const n = extra.number ?? String(++counter);
  const input: PackageInput = {
    header: {
      from: { organId: from.code, organName: from.name },
      to: to.map((t) => ({ organId: t.code, organName: t.name })),
      code: { codeNumber: n, codeNotation: 'QĐ-UBND' },
      promulgationInfo: { place: 'Thử Nghiệm', promulgationDate: '2026/11/22' },
      documentType: { type: 1, typeDetail: 2, typeName: 'Quyết định' },
      subject: `Quyết định số ${n} về việc thử nghiệm trao đổi văn bản`,
      signerInfo: { position: 'Chủ tịch', fullName: 'Nguyễn Văn An' },
    },
    attachments: [{ meta: { contentId: 'doc1', attachmentName: `qd-${n}.pdf` }, data: extra.body ?? Buffer.from(`%PDF-1.7\n% văn bản ${n}\n%%EOF\n`) }],
  };
  const file = path.join(dir, `pkg-${n}-${Math.random().toString(36).slice(2)}.edxml`);
  const w = await writePackage(input, signer, file);
  return { file, documentId: w.documentId };
}

/** A signed status message from `from` about a document of `sender`. */
export function makeStatus(signer: Signer, from: { code: string; name: string }, sender: { code: string }, documentId: string, statusCode: StatusCode, description = ''): Promise<string> {
  const [, date, code] = documentId.split(',');
  return buildStatus(
    {
      responseFor: { organId: sender.code, code: code!, promulgationDate: date!, documentId },
      from: { organId: from.code, organName: from.name },
      statusCode,
      description,
      timestamp: '2026/11/22 10:00:00',
      staffInfo: { staff: 'Văn thư' },
    },
    signer,
  );
}
