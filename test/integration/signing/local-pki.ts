/**
 * A minimal OpenSSL-made PKI for the signing tests until test/bed's createTestBed lands:
 * root -> intermediate -> signer (RSA and EC), root -> TSA; an `openssl ca` database so that
 * `openssl ocsp` can answer and `openssl ca -gencrl` can issue CRLs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../bed/run.js';

/** Paths and DER bytes of one issued identity. */
export interface Identity {
  key: string;
  cert: string;
  der: Buffer;
}

/** The generated PKI. */
export interface LocalPki {
  dir: string;
  root: Identity;
  intermediate: Identity;
  rsa: Identity;
  ec: Identity;
  tsa: Identity;
  /** Config for `openssl ca` of the intermediate (index for OCSP, -gencrl). */
  caConf: string;
  /** `openssl ts` config for the TSA. */
  tsConf: string;
}

function caConfig(dir: string, name: string, ocspUrl: string, crlUrl: string): string {
  const d = path.join(dir, name);
  return `[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndir = ${d}\ndatabase = ${d}/index.txt\nnew_certs_dir = ${d}/new\nserial = ${d}/serial\ncrlnumber = ${d}/crlnumber\ncertificate = ${dir}/${name}.pem\nprivate_key = ${dir}/${name}.key\ndefault_md = sha256\ndefault_days = 365\ndefault_crl_days = 7\npolicy = p_any\ncopy_extensions = none\nunique_subject = no\n[ p_any ]\ncommonName = supplied\norganizationName = optional\ncountryName = optional\n[ v3_inter ]\nbasicConstraints = critical,CA:true\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n[ v3_leaf ]\nbasicConstraints = critical,CA:false\nkeyUsage = critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\nauthorityInfoAccess = OCSP;URI:${ocspUrl}\ncrlDistributionPoints = URI:${crlUrl}\n[ v3_tsa ]\nbasicConstraints = critical,CA:false\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = critical,timeStamping\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n[ v3_ocsp ]\nbasicConstraints = critical,CA:false\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = OCSPSigning\n`;
}

/** Creates the PKI in `dir`; `ocspUrl`/`crlUrl` go into the signer certificates. */
export async function createLocalPki(dir: string, urls: { ocsp: string; crl: string } = { ocsp: 'http://127.0.0.1:9/ocsp', crl: 'http://127.0.0.1:9/crl' }): Promise<LocalPki> {
  mkdirSync(dir, { recursive: true });
  const p = (f: string) => path.join(dir, f);
  for (const ca of ['root', 'inter']) {
    mkdirSync(p(`${ca}/new`), { recursive: true });
    writeFileSync(p(`${ca}/index.txt`), '');
    writeFileSync(p(`${ca}/serial`), ca === 'root' ? '1000\n' : '2000\n');
    writeFileSync(p(`${ca}/crlnumber`), '01\n');
    writeFileSync(p(`${ca}.cnf`), caConfig(dir, ca, urls.ocsp, urls.crl));
  }
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('root.key'), '-out', p('root.pem'), '-days', '3650', '-subj', '/C=VN/O=Kyso Test/CN=Kyso Test Root CA', '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const issue = async (name: string, keyArgs: string[], subj: string, ca: 'root' | 'inter', ext: string) => {
    await run('openssl', ['req', '-new', ...keyArgs, '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subj]);
    await run('openssl', ['ca', '-batch', '-config', p(`${ca}.cnf`), '-extensions', ext, '-in', p(`${name}.csr`), '-out', p(`${name}.pem`), '-notext']);
  };
  await issue('inter', ['-newkey', 'rsa:2048'], '/C=VN/O=Kyso Test/CN=Kyso Test Issuing CA', 'root', 'v3_inter');
  await issue('rsa', ['-newkey', 'rsa:2048'], '/C=VN/O=UBND Tinh Test/CN=Nguyen Van A', 'inter', 'v3_leaf');
  await issue('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/C=VN/O=UBND Tinh Test/CN=Tran Thi B', 'inter', 'v3_leaf');
  await issue('tsa', ['-newkey', 'rsa:2048'], '/C=VN/O=Kyso Test/CN=Kyso Test TSA', 'root', 'v3_tsa');
  const id = async (name: string): Promise<Identity> => {
    const { stdout } = await run('openssl', ['x509', '-in', p(`${name}.pem`), '-outform', 'DER']);
    return { key: p(`${name}.key`), cert: p(`${name}.pem`), der: stdout };
  };
  writeFileSync(p('tsa-chain.pem'), readFileSync(p('tsa.pem'), 'utf8') + readFileSync(p('root.pem'), 'utf8'));
  writeFileSync(p('tsaserial'), '01\n');
  writeFileSync(p('ts.cnf'), `[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\ndir = ${dir}\nserial = ${p('tsaserial')}\nsigner_cert = ${p('tsa.pem')}\ncerts = ${p('tsa-chain.pem')}\nsigner_key = ${p('tsa.key')}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\naccuracy = secs:1\nordering = yes\ntsa_name = no\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n`);
  return { dir, root: await id('root'), intermediate: await id('inter'), rsa: await id('rsa'), ec: await id('ec'), tsa: await id('tsa'), caConf: p('inter.cnf'), tsConf: p('ts.cnf') };
}
