/**
 * Page preview with pdf.js and a drag-to-place signature box. The box is reported in PDF
 * user space ([x, y, width, height] from the page's lower-left corner, points), converted
 * through the viewport so rotated pages come out right. pdf.js is loaded on demand so the
 * first screen stays light.
 */
import { useEffect, useRef, useState, type PointerEvent as RPointerEvent } from 'react';
import type { ErrorPayload } from '../../../main/api/index.js';
import { useApi } from '../api/context.js';
import { useI18n } from '../i18n.js';
import { ErrorBanner } from './ErrorBanner.js';

/** A placement chosen on the preview. */
export type Placement = {
  page: number;
  rect: [number, number, number, number];
};

/** Keeps only well-formed placements from a stored setting (it is user-editable JSON). */
export function parsePlacements(v: unknown): Record<string, Placement> {
  const out: Record<string, Placement> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [name, p] of Object.entries(v as Record<string, unknown>)) {
    const q = p as Partial<Placement> | null;
    if (q && typeof q.page === 'number' && Array.isArray(q.rect) && q.rect.length === 4 && q.rect.every((n) => typeof n === 'number')) {
      out[name] = { page: q.page, rect: q.rect };
    }
  }
  return out;
}

type PdfJs = typeof import('pdfjs-dist');
type PdfDoc = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
type Viewport = ReturnType<Awaited<ReturnType<PdfDoc['getPage']>>['getViewport']>;

let pdfjsPromise: Promise<PdfJs> | undefined;
/** Loads pdf.js and points it at its worker (a same-origin file: CSP allows 'self'). */
export function loadPdfJs(): Promise<PdfJs> {
  pdfjsPromise ??= Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]).then(([lib, worker]) => {
    lib.GlobalWorkerOptions.workerSrc = worker.default;
    return lib;
  });
  return pdfjsPromise;
}

/** Decodes base64 without atob's string detour for large files. */
export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Props of PdfPreview. */
export interface PdfPreviewProps {
  path: string;
  placement: Placement | null;
  onPlace(p: Placement | null): void;
}

/** The preview with page navigation and the placement box. */
export function PdfPreview({ path, placement, onPlace }: PdfPreviewProps) {
  const api = useApi();
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [doc, setDoc] = useState<PdfDoc | null>(null);
  const [pageNo, setPageNo] = useState(1);
  // The viewport of the last finished render, with the file it belongs to: a render of the
  // previous file must not accept a drag on the new one.
  const [rendered, setRendered] = useState<{ vp: Viewport; path: string; page: number } | null>(null);
  const viewport = rendered && rendered.path === path && rendered.page === pageNo ? rendered.vp : null;
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [drag, setDrag] = useState<{ x0: number; y0: number; x1: number; y1: number } | null>(null);

  useEffect(() => {
    let live = true;
    setDoc(null);
    setError(null);
    setPageNo(1);
    void (async () => {
      const r = await api['file:readPdf']({ path });
      if (!live) return;
      if (!r.ok) return setError(r.error);
      const lib = await loadPdfJs();
      try {
        const d = await lib.getDocument({ data: base64ToBytes(r.value.base64), isEvalSupported: false }).promise;
        if (live) setDoc(d);
      } catch (e) {
        if (live) setError({ code: 'notPdf', message: t('error.notPdf', { path }) + ` (${e instanceof Error ? e.message : ''})` });
      }
    })();
    return () => {
      live = false;
    };
  }, [api, path, t]);

  useEffect(() => {
    if (!doc || !canvas.current) return;
    let task: { cancel(): void } | undefined;
    let live = true;
    void doc.getPage(pageNo).then((page) => {
      if (!live || !canvas.current) return;
      const base = page.getViewport({ scale: 1 });
      const vp = page.getViewport({ scale: Math.min(1.5, 640 / base.width) });
      const c = canvas.current;
      c.width = Math.floor(vp.width);
      c.height = Math.floor(vp.height);
      const r = page.render({ canvas: c, viewport: vp });
      task = r;
      void r.promise.then(() => live && setRendered({ vp, path, page: pageNo }), () => {});
    });
    return () => {
      live = false;
      task?.cancel();
    };
    // path is read with doc: doc changes whenever path does.
  }, [doc, pageNo]);

  /** Converts a box in canvas pixels to PDF user space. */
  const toPdf = (x0: number, y0: number, x1: number, y1: number): Placement | null => {
    if (!viewport) return null;
    const [ax, ay] = viewport.convertToPdfPoint(x0, y0) as [number, number];
    const [bx, by] = viewport.convertToPdfPoint(x1, y1) as [number, number];
    const w = Math.abs(bx - ax);
    const h = Math.abs(by - ay);
    if (w < 5 || h < 5) return null;
    const r = (n: number) => Math.round(n * 10) / 10;
    return { page: pageNo, rect: [r(Math.min(ax, bx)), r(Math.min(ay, by)), r(w), r(h)] };
  };
  /** The placement box in canvas pixels, for drawing. */
  const boxPx = (): { left: number; top: number; width: number; height: number } | null => {
    if (drag) return { left: Math.min(drag.x0, drag.x1), top: Math.min(drag.y0, drag.y1), width: Math.abs(drag.x1 - drag.x0), height: Math.abs(drag.y1 - drag.y0) };
    if (!placement || placement.page !== pageNo || !viewport) return null;
    const [x, y, w, h] = placement.rect;
    const [ax, ay, bx, by] = viewport.convertToViewportRectangle([x, y, x + w, y + h]) as [number, number, number, number];
    return { left: Math.min(ax, bx), top: Math.min(ay, by), width: Math.abs(bx - ax), height: Math.abs(by - ay) };
  };
  const point = (e: RPointerEvent<HTMLDivElement>) => {
    const b = e.currentTarget.getBoundingClientRect();
    return { x: Math.max(0, Math.min(b.width, e.clientX - b.left)), y: Math.max(0, Math.min(b.height, e.clientY - b.top)) };
  };

  const box = boxPx();
  const pages = doc?.numPages ?? 0;
  return (
    <div className="preview">
      <ErrorBanner error={error} />
      {doc && (
        <div className="row" role="group" aria-label={t('ui.preview.pages')}>
          <button type="button" disabled={pageNo <= 1} onClick={() => setPageNo(pageNo - 1)} aria-label={t('ui.preview.prev')}>‹</button>
          <span data-testid="preview-page">{t('ui.preview.pageOf', { page: pageNo, count: pages })}</span>
          <button type="button" disabled={pageNo >= pages} onClick={() => setPageNo(pageNo + 1)} aria-label={t('ui.preview.next')}>›</button>
          <span className="muted">{viewport ? t('ui.preview.dragHint') : t('ui.preview.rendering')}</span>
        </div>
      )}
      <div className="page-frame" data-testid="preview-frame" data-ready={viewport ? 'true' : 'false'} aria-busy={!viewport}
        onPointerDown={(e) => {
          if (!viewport) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          const p = point(e);
          setDrag({ x0: p.x, y0: p.y, x1: p.x, y1: p.y });
        }}
        onPointerMove={(e) => {
          if (!drag) return;
          const p = point(e);
          setDrag({ ...drag, x1: p.x, y1: p.y });
        }}
        onPointerUp={() => {
          if (!drag) return;
          const placed = toPdf(drag.x0, drag.y0, drag.x1, drag.y1);
          setDrag(null);
          if (placed) onPlace(placed);
        }}>
        <canvas ref={canvas} data-testid="preview-canvas" aria-label={t('ui.preview.canvas', { page: pageNo })} role="img" />
        {box && <div className="sig-box" data-testid="sig-box" style={{ left: box.left, top: box.top, width: box.width, height: box.height }} />}
      </div>
    </div>
  );
}
