/**
 * edXML as a body behind the axis writes it: packages and statuses either unsigned (as many
 * field systems send them) or signed RSA-SHA1 over the whole document by xmlsec1 (as the
 * national SDK samples are), never with Kyso's own signature profile. The package body is
 * laid out by Kyso's writer (the deployed shape), its signature removed, then (for RSA-SHA1)
 * an xmlsec1 template is signed in its place. Keys come from openssl.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildStatus, writePackage, type PackageInput } from '../../../main/exchange/edxml/index.js';
import type { StatusMessageInput } from '../../../main/exchange/edxml/types.js';
import { softwareSigner } from '../../../main/pki/software-signer.js';
import type { Signer } from '../../../main/pki/signer.js';

/** How a field body signs what it sends. */
export type FieldSigning = 'none' | 'rsa-sha1';

/** A key pair made by openssl for one body (kept in its folder). */
export interface FieldKeys {
  keyPath: string;
  certPath: string;
}

/** Makes (once) a self-signed RSA key and certificate for a field body with openssl. */
export function fieldKeys(dir: string, commonName: string): FieldKeys {
  mkdirSync(dir, { recursive: true });
  const keyPath = path.join(dir, 'field-key.pem');
  const certPath = path.join(dir, 'field-cert.pem');
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3650', '-utf8', '-subj', `/C=VN/O=Trục liên thông thử nghiệm/CN=${commonName}`, '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
  }
  return { keyPath, certPath };
}

const SIGNATURE = /<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*?<\/Signature>/;
const TEMPLATE = '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>' +
  '<SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/><Reference URI=""><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms>' +
  '<DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><DigestValue></DigestValue></Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data/></KeyInfo></Signature>';

function layoutSigner(keys: FieldKeys): Signer {
  return softwareSigner(readFileSync(keys.keyPath), new X509Certificate(readFileSync(keys.certPath)).raw);
}

/** Signs (or leaves unsigned) an XML text whose Kyso signature was removed; `at` is where the Signature goes. */
function finish(xml: string, signing: FieldSigning, keys: FieldKeys, work: string): Buffer {
  const unsigned = xml.replace(SIGNATURE, '');
  if (signing === 'none') return Buffer.from(unsigned, 'utf8');
  const withTemplate = unsigned.replace('</edXML:edXMLHeader>', `${TEMPLATE}</edXML:edXMLHeader>`);
  mkdirSync(work, { recursive: true });
  const tpl = path.join(work, `tpl-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.xml`);
  const out = `${tpl}.signed`;
  try {
    writeFileSync(tpl, withTemplate);
    execFileSync('xmlsec1', ['--sign', '--privkey-pem', `${keys.keyPath},${keys.certPath}`, '--output', out, tpl], { stdio: 'ignore' });
    return readFileSync(out);
  } finally {
    rmSync(tpl, { force: true });
    rmSync(out, { force: true });
  }
}

/** A package as a field body sends it. */
export async function fieldPackage(input: PackageInput, signing: FieldSigning, keys: FieldKeys, work: string): Promise<{ bytes: Buffer; documentId: string }> {
  mkdirSync(work, { recursive: true });
  const file = path.join(work, `pkg-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.edxml`);
  try {
    const w = await writePackage(input, layoutSigner(keys), file);
    return { bytes: finish(readFileSync(file, 'utf8'), signing, keys, work), documentId: w.documentId };
  } finally {
    rmSync(file, { force: true });
  }
}

/** A status message (the national library's shape) as a field body sends it. */
export async function fieldStatus(input: StatusMessageInput, signing: FieldSigning, keys: FieldKeys, work: string): Promise<Buffer> {
  return finish(await buildStatus(input, null), signing, keys, work);
}
