/**
 * Opening an encrypted document: the standard handler's parameters, the password (the empty
 * user password first, as every viewer does, then the one given), and the DocumentCrypt the
 * reader and writer use. Certificate (public-key) encryption is refused with its own code.
 */
import { KysoError } from '../../api/errors.js';
import { PdfDict, PdfRef, PdfString, type PdfObject } from '../objects.js';
import { algorithmName, DocumentCrypt, signingAllowed } from './document.js';
import { authenticate, readStandardParams } from './standard.js';

export type { EncryptionInfo } from './document.js';
export { DocumentCrypt } from './document.js';

/** Opens the encryption named by `trailer` /Encrypt; throws pdfPasswordRequired / pdfPasswordWrong. */
export async function openCrypt(trailer: PdfDict, resolve: (o: PdfObject | undefined) => Promise<PdfObject | undefined>, password: string | undefined): Promise<DocumentCrypt> {
  const ref = trailer.get('Encrypt');
  const d = await resolve(ref);
  if (!(d instanceof PdfDict)) throw new KysoError('pdfMalformed', { offset: -1, detail: 'no /Encrypt dictionary' });
  const params = await readStandardParams(d, resolve);
  const ids = await resolve(trailer.get('ID'));
  const id0 = Array.isArray(ids) && ids[0] instanceof PdfString ? Buffer.from(ids[0].bytes) : Buffer.alloc(0);
  // The empty user password first: a document that only restricts editing opens without asking.
  let auth = authenticate(params, id0, '');
  const empty = auth !== null;
  if (password !== undefined && password !== '') auth = authenticate(params, id0, password) ?? (password ? null : auth);
  if (!auth) throw new KysoError(password === undefined || password === '' ? 'pdfPasswordRequired' : 'pdfPasswordWrong');
  return new DocumentCrypt(params, auth.key, ref instanceof PdfRef ? ref.num : undefined, {
    algorithm: algorithmName(params),
    revision: params.r,
    owner: auth.owner,
    emptyUserPassword: empty,
    permissions: params.p,
    canSign: signingAllowed(params, auth.owner),
  });
}
