/** edXML codec (QCVN 102:2016): the public API shared by the app, the inbox server and a gateway to the axis. */
export { writePackage, buildSignedHead, type PackageInput, type AttachmentSource, type WrittenPackage } from './writer.js';
export {
  readEdxml, readPackage, type ReadOptions, type SignaturePolicy, type ParsedEdxml, type ParsedPackage, type ParsedStatusMessage,
  type ParsedStatusMessage as ParsedStatus, type ParsedAttachment, type Signed,
} from './reader.js';
export { buildStatus, parseStatus, type StatusShape, type StatusOptions } from './status.js';
export { STATUS_DESCRIPTIONS, statusDescription, isStandardDescription } from './status-codes.js';
export { documentIdOf, documentIdFormOf, documentIdDate, type DocumentIdForm } from './envelope.js';
export type { SignatureReport, SignatureState, SignatureFailure } from './signature.js';
export type { PackageNote, NoteCode } from './notes.js';
export { formatEdxmlTimestamp, formatEdxmlDate } from './time.js';
export * from './types.js';
