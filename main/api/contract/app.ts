/** Contract of the app frame: identity, host, language. */
import { z } from 'zod';
import { eventsOf, operations } from './define.js';

/** Language codes the UI supports. */
export const langSchema = z.enum(['vi', 'en']);

const fileFilter = z.object({ name: z.string().max(100), extensions: z.array(z.string().regex(/^[\w*]{1,10}$/)).max(20) });
const filePath = z.string().min(1).max(4096);

/** Operations about the app itself. */
export const appOperations = operations({
  'app:info': {
    input: z.object({}).strict(),
    output: z.object({
      name: z.string(),
      version: z.string(),
      host: z.enum(['electron', 'browser']),
      platform: z.string(),
      lang: langSchema,
      home: z.string(),
      coreTime: z.string(),
    }),
  },
  'app:setLang': {
    input: z.object({ lang: langSchema }).strict(),
    output: z.object({ lang: langSchema }),
  },
  /**
   * Bytes of a local PDF for the page preview (pdf.js in the renderer). Only files that start
   * with %PDF- and are at most 64 MiB; base64 so that it crosses IPC and the WebSocket alike.
   */
  'file:readPdf': {
    input: z.object({ path: filePath }).strict(),
    output: z.object({ path: z.string(), size: z.number(), base64: z.string() }),
  },
  /**
   * A folder of the user's computer for the in-page file picker (where there is no native
   * dialog): folders first, files filtered by extension, hidden entries left out.
   */
  'file:listDir': {
    input: z.object({ path: filePath.optional(), extensions: z.array(z.string().regex(/^\w{1,10}$/)).max(20).optional() }).strict(),
    output: z.object({
      path: z.string(),
      parent: z.string().nullable(),
      entries: z.array(z.object({ name: z.string(), kind: z.enum(['dir', 'file']), size: z.number(), modified: z.string() })),
      places: z.array(z.object({ name: z.string(), path: z.string() })),
    }),
  },
  /**
   * A file dropped on the page, in base64 chunks of at most 4 MiB: the first call starts it,
   * `last` puts it under KYSO_HOME/uploads/<day>/ and answers its path.
   */
  'file:upload': {
    input: z.object({ uploadId: z.string().max(100).optional(), name: z.string().min(1).max(1000), base64: z.string().max(6 * 1024 * 1024), last: z.boolean() }).strict(),
    output: z.object({ uploadId: z.string(), path: z.string().nullable() }),
  },
  /** A signature or seal image (PNG, at most 8 MiB) for previews: its bytes and pixel size. */
  'file:readImage': {
    input: z.object({ path: filePath }).strict(),
    output: z.object({ path: z.string(), width: z.number(), height: z.number(), base64: z.string() }),
  },
});

/**
 * Operations only a transport can answer (native dialogs, the OS opener): the Electron shell
 * and the browser host each pass their own handlers into createCore.
 */
export const shellOperations = operations({
  /**
   * Native file picker. In the browser host there is none: `native: false` and no paths, and
   * the screen offers a path field instead.
   */
  'dialog:openFiles': {
    input: z.object({
      title: z.string().max(200).optional(),
      filters: z.array(fileFilter).max(10).optional(),
      multiple: z.boolean().default(true),
      directory: z.boolean().default(false),
    }).strict(),
    output: z.object({ paths: z.array(z.string()), native: z.boolean() }),
  },
  /** Native save dialog (`path: null` when cancelled or without a native dialog). */
  'dialog:saveFile': {
    input: z.object({ title: z.string().max(200).optional(), defaultPath: filePath.optional(), filters: z.array(fileFilter).max(10).optional() }).strict(),
    output: z.object({ path: z.string().nullable(), native: z.boolean() }),
  },
  /** Opens a file with its default application (e.g. a signed PDF in the PDF reader). */
  'shell:openPath': {
    input: z.object({ path: filePath }).strict(),
    output: z.object({ opened: z.boolean() }),
  },
  /** Shows a file in the system file manager. */
  'shell:showItemInFolder': {
    input: z.object({ path: filePath }).strict(),
    output: z.object({ opened: z.boolean() }),
  },
});

/** Events about the app itself. */
export const appEvents = eventsOf({
  'app:lang': z.object({ lang: langSchema }),
  /** The OS asked the app to open files ("open with Kyso") or a kyso:// link. */
  'app:openRequest': z.object({ paths: z.array(z.string()), url: z.string().nullable() }),
});
