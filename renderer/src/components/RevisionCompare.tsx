/**
 * The page as it was signed beside the page as it is now, for a signature followed by a
 * permitted form fill that redrew a field (the report's "page looks different"). The signed
 * revision is the file's first `signedLength` bytes (the end of the signature's /ByteRange):
 * pdf.js reads that prefix as a PDF of its own, as any incremental update allows.
 */
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/context.js';
import { useI18n } from '../i18n.js';
import { base64ToBytes, loadPdfJs } from './PdfPreview.js';

type PdfDoc = Awaited<ReturnType<Awaited<ReturnType<typeof loadPdfJs>>['getDocument']>['promise']>;

/** Props of RevisionCompare. */
export interface RevisionCompareProps {
  path: string;
  /** Bytes of the signed revision (byteRange[2] + byteRange[3]). */
  signedLength: number;
  /** 1-based page to show. */
  page: number;
  password?: string;
}

function PageCanvas({ doc, page, label, testId }: { doc: PdfDoc | null; page: number; label: string; testId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!doc || !ref.current) return;
    let live = true;
    let task: { cancel(): void } | undefined;
    void doc.getPage(Math.min(page, doc.numPages)).then((p) => {
      if (!live || !ref.current) return;
      const base = p.getViewport({ scale: 1 });
      const vp = p.getViewport({ scale: Math.min(1, 320 / base.width) });
      ref.current.width = Math.floor(vp.width);
      ref.current.height = Math.floor(vp.height);
      task = p.render({ canvas: ref.current, viewport: vp });
    });
    return () => {
      live = false;
      task?.cancel();
    };
  }, [doc, page]);
  return (
    <figure>
      <canvas ref={ref} role="img" aria-label={label} data-testid={testId} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** Both renderings side by side. */
export function RevisionCompare({ path, signedLength, page, password }: RevisionCompareProps) {
  const api = useApi();
  const { t } = useI18n();
  const [docs, setDocs] = useState<{ signed: PdfDoc; now: PdfDoc } | null>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      const r = await api['file:readPdf']({ path });
      if (!r.ok || !live) return;
      const lib = await loadPdfJs();
      const bytes = base64ToBytes(r.value.base64);
      const open = (data: Uint8Array) => lib.getDocument({ data, isEvalSupported: false, ...(password ? { password } : {}) }).promise;
      try {
        const [signed, now] = await Promise.all([open(bytes.slice(0, signedLength)), open(bytes)]);
        if (live) setDocs({ signed, now });
      } catch {
        // No comparison rather than a broken one; the report already says what changed.
      }
    })();
    return () => {
      live = false;
    };
  }, [api, path, signedLength, password]);
  return (
    <div className="row" data-testid="revision-compare">
      <PageCanvas doc={docs?.signed ?? null} page={page} label={t('ui.verify.asSigned', { page })} testId="revision-signed" />
      <PageCanvas doc={docs?.now ?? null} page={page} label={t('ui.verify.asNow', { page })} testId="revision-now" />
    </div>
  );
}
