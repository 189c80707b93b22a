/**
 * The exchange bed: the real test bed (PKI, OCSP/CRL on loopback, SoftHSM2), the real inbox
 * server on loopback with three organizations of one province, one user certificate per
 * organization (A's key on the SoftHSM2 token, B and C software keys), and a PAdES-signed
 * PDF made by A's token key.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { signPdf } from '../../../main/signing/pades.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';
import { TokenManager } from '../../../native/token-manager.js';
import { startServer, type RunningServer } from '../../../server/app.js';
import { createTestBed, type BedCert, type TestBed } from '../../bed/index.js';

/** Organization codes of the bed (a province, two of its departments). */
export const ORG = { A: '000.00.00.H99', B: '000.01.00.H99', C: '000.02.00.H99' } as const;
/** Names, in Vietnamese as in the directory. */
export const ORG_NAME = { A: 'Ủy ban nhân dân tỉnh Thử Nghiệm', B: 'Sở Tài chính tỉnh Thử Nghiệm', C: 'Sở Nội vụ tỉnh Thử Nghiệm' } as const;

/** One organization's user: its certificate and key files (software) or token. */
export interface OrgUser {
  code: string;
  cert: BedCert;
  signer: Signer;
}

/** What the exchange tests share. */
export interface ExchangeBed {
  bed: TestBed;
  dataDir: string;
  server: RunningServer;
  /** A: the official on the token; A2: a second clerk of A with a software key (child-process batches). */
  users: { A: OrgUser; A2: OrgUser; B: OrgUser; C: OrgUser };
  tokens: TokenManager;
  /** A PDF signed (PAdES B-B) by A's official on the token. */
  signedPdf: string;
  /** Restarts the server on the same port and data directory. */
  restartServer(): Promise<void>;
  /** Stops the server (clients see connection refused) until startAgain(). */
  stopServer(): Promise<void>;
  /** Starts the stopped server again on its port. */
  startAgain(): Promise<void>;
  close(): Promise<void>;
}

async function serve(dataDir: string, bed: TestBed, port = 0): Promise<RunningServer> {
  return startServer({ dataDir, port, trustFiles: [bed.certs.root.certPath] });
}

/** Starts everything in a fresh temp dir. */
export async function createExchangeBed(): Promise<ExchangeBed> {
  const bed = await createTestBed();
  try {
    const dataDir = path.join(bed.dir, 'server');
    mkdirSync(dataDir, { recursive: true });
    let server = await serve(dataDir, bed);
    await server.repo.addOrg({ code: ORG.A, name: ORG_NAME.A, parent: null });
    await server.repo.addOrg({ code: ORG.B, name: ORG_NAME.B, parent: ORG.A });
    await server.repo.addOrg({ code: ORG.C, name: ORG_NAME.C, parent: ORG.A });
    const tokens = new TokenManager({ modules: [bed.module], env: { ...process.env, ...bed.env } });
    const official = bed.certs.official;
    await tokens.login({ module: bed.module, label: official.token!.label }, official.token!.pin);
    const signerA = await tokens.getSigner({ module: bed.module, label: official.token!.label }, { keyId: official.token!.id });
    const software = async (name: string, cn: string): Promise<{ cert: BedCert; signer: Signer }> => {
      const issued = await bed.pki.issue({ name, profile: 'official', subject: [['C', 'VN'], ['O', cn], ['CN', `Văn thư ${cn}`]] });
      const cert = bed.loadCert(issued);
      return { cert, signer: softwareSigner(readFileSync(issued.keyPath!), cert.der) };
    };
    const b = await software('user-b', ORG_NAME.B);
    const c = await software('user-c', ORG_NAME.C);
    const a2 = await software('user-a2', ORG_NAME.A);
    const users = { A: { code: ORG.A, cert: official, signer: signerA }, A2: { code: ORG.A, ...a2 }, B: { code: ORG.B, ...b }, C: { code: ORG.C, ...c } };
    for (const u of Object.values(users)) {
      await server.repo.addUser({ orgCode: u.code, certSha256: createHash('sha256').update(u.cert.der).digest('hex'), subject: u.cert.subject, certDer: u.cert.der.toString('base64') });
    }
    const signedPdf = path.join(bed.dir, 'quyet-dinh-15.pdf');
    await signPdf('test/fixtures/cong-van-mau.pdf', signedPdf, { signer: signerA, level: 'B-B', reason: 'Ban hành' });
    return {
      bed,
      dataDir,
      get server() {
        return server;
      },
      users,
      tokens,
      signedPdf,
      async restartServer() {
        const port = server.port;
        await server.close();
        server = await serve(dataDir, bed, port);
      },
      async stopServer() {
        await server.close();
      },
      async startAgain() {
        server = await serve(dataDir, bed, server.port);
      },
      async close() {
        await server.close().catch(() => undefined);
        await tokens.close();
        await bed.close();
      },
    };
  } catch (e) {
    await bed.close();
    throw e;
  }
}
