/** edXML codec (QCVN 102:2016): the public API shared by the app and the inbox server. */
export { writePackage, buildSignedHead, type PackageInput, type AttachmentSource, type WrittenPackage } from './writer.js';
export { readPackage, type ReadOptions, type ParsedPackage, type ParsedAttachment } from './reader.js';
export { buildStatus, parseStatus, type ParsedStatus } from './status.js';
export { documentIdOf } from './envelope.js';
export { formatEdxmlTimestamp, formatEdxmlDate } from './time.js';
export * from './types.js';
