/**
 * edXML data model (QCVN 102:2016/BTTTT as deployed): zod schemas of what the codec builds
 * and parses. Field names are the camelCase of the XML element names.
 */
import { z } from 'zod';
import { documentIdSchema, ORGAN_ID_PATTERN } from '../protocol.js';

/** The edXML namespace. */
export const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

/** Dates as edXML writes them. */
export const DATE_PATTERN = /^\d{4}\/(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01])$/;
/** Timestamps as edXML writes them (Vietnam time). */
export const TIMESTAMP_PATTERN = /^\d{4}\/(0[1-9]|1[0-2])\/(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

/**
 * OrganId as the axis writes it: the QĐ 20/2020 code (`000.00.00.H41`) or a system id of the
 * axis (lower case with dots, `vxp.saas.03`). Local organizations of a Kyso server are always
 * QĐ 20/2020 codes (protocol.ts); the codec reads and writes both.
 */
export const SYSTEM_ID_PATTERN = /^(?=.{3,64}$)(?=[^.]*\.)[a-z0-9]+(?:[._-][a-z0-9]+)+$/;

/** Which form an OrganId has, or undefined when it is neither. */
export function organIdForm(id: string): 'qd20' | 'system' | undefined {
  if (ORGAN_ID_PATTERN.test(id)) return 'qd20';
  if (SYSTEM_ID_PATTERN.test(id)) return 'system';
  return undefined;
}

const opt = z.string().max(500).optional();
const organId = z.string().refine((v) => organIdForm(v) !== undefined, 'is neither a QĐ 20/2020 code nor an axis system id');
const date = z.string().regex(DATE_PATTERN);

/** An organization as From/To of a message. */
export const organSchema = z.object({
  organId,
  organizationInCharge: opt,
  organName: z.string().min(1).max(500),
  organAdd: opt,
  email: opt,
  telephone: opt,
  fax: opt,
  website: opt,
});
/** From / To organization. */
export type Organ = z.infer<typeof organSchema>;

/** A reference to an earlier document (ResponseFor). */
export const responseForSchema = z.object({
  organId,
  code: z.string().min(1).max(200),
  promulgationDate: date,
  documentId: documentIdSchema,
});
/** ResponseFor entry. */
export type ResponseFor = z.infer<typeof responseForSchema>;

/** Staff who handled a message. */
export const staffInfoSchema = z.object({
  department: opt,
  // Optional: the national library writes StaffInfo blocks with an empty Staff.
  staff: z.string().min(1).max(200).optional(),
  email: opt,
  mobile: opt,
});
/** StaffInfo. */
export type StaffInfo = z.infer<typeof staffInfoSchema>;

/** MessageHeader of a document package. documentId is derived when omitted. */
export const messageHeaderSchema = z.object({
  from: organSchema,
  to: z.array(organSchema).min(1).max(500),
  documentId: z.string().max(300).optional(),
  code: z.object({ codeNumber: z.string().min(1).max(50), codeNotation: z.string().min(1).max(150) }),
  promulgationInfo: z.object({ place: z.string().min(1).max(200), promulgationDate: date }),
  documentType: z.object({ type: z.number().int().min(1).max(2), typeDetail: z.number().int().min(0).max(999), typeName: z.string().min(1).max(200) }),
  subject: z.string().min(1).max(2000),
  content: z.string().max(100_000).optional(),
  signerInfo: z.object({ competence: opt, position: z.string().min(1).max(200), fullName: z.string().min(1).max(200) }),
  dueDate: date.optional(),
  otherInfo: z
    .object({
      /** 0 normal, 1 urgent, 2 very urgent, 3 express, 4 express with deadline. */
      priority: z.number().int().min(0).max(4).default(0),
      sphereOfPromulgation: opt,
      typerNotation: opt,
      promulgationAmount: z.number().int().min(0).optional(),
      pageAmount: z.number().int().min(0).optional(),
      direction: z.boolean().optional(),
      appendixes: z.array(z.string().max(500)).default([]),
    })
    .default({ priority: 0, appendixes: [] }),
  /** 0 not a directive, 1 directive, 2 report on a directive. */
  steeringType: z.number().int().min(0).max(2).default(0),
  toPlaces: z.array(z.string().max(500)).default([]),
  responseFor: z.array(responseForSchema).default([]),
});
/** MessageHeader (parsed form, defaults filled). */
export type MessageHeader = z.infer<typeof messageHeaderSchema>;
/** MessageHeader as a caller writes it. */
export type MessageHeaderInput = z.input<typeof messageHeaderSchema>;

/** One TraceHeader: an organization the message passed through and when. */
export const traceHeaderSchema = z.object({ organId, timestamp: z.string().regex(TIMESTAMP_PATTERN) });
/** TraceHeader. */
export type TraceHeader = z.infer<typeof traceHeaderSchema>;

/** Bussiness block of the TraceHeaderList (spelling as deployed). */
export const bussinessSchema = z.object({
  documentId: z.string().max(300).optional(),
  /** 0 new, 1 revocation, 2 update, 3 replace. */
  bussinessDocType: z.number().int().min(0).max(3).default(0),
  bussinessDocReason: opt,
  paper: z.number().int().min(0).max(1).default(0),
  staffInfo: staffInfoSchema.optional(),
});
/** Bussiness. */
export type Bussiness = z.infer<typeof bussinessSchema>;

/** Manifest entry / attachment metadata. contentId is `cid:`-less in the model. */
export const attachmentMetaSchema = z.object({
  contentId: z.string().regex(/^[A-Za-z0-9._@-]{1,100}$/),
  attachmentName: z.string().min(1).max(255),
  contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/).default('application/pdf'),
  description: z.string().max(1000).default(''),
});
/** Attachment metadata. */
export type AttachmentMeta = z.infer<typeof attachmentMetaSchema>;

/** A status message (either shape: MessageStatus, or the fields inside MessageHeader). */
export const statusMessageSchema = z.object({
  responseFor: responseForSchema,
  from: organSchema,
  statusCode: z.enum(['01', '02', '03', '04', '05', '06', '13', '15', '16']),
  description: z.string().max(2000).default(''),
  timestamp: z.string().regex(TIMESTAMP_PATTERN),
  staffInfo: staffInfoSchema.optional(),
});
/** Status message (parsed). */
export type StatusMessage = z.infer<typeof statusMessageSchema>;
/** Status message as a caller writes it. */
export type StatusMessageInput = z.input<typeof statusMessageSchema>;
