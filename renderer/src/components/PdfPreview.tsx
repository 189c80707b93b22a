/**
 * Page preview with pdf.js: page navigation, zoom, and (when `onPlace` is given) a drag-to-
 * place signature box with whatever the caller draws over the page (the real appearance).
 * Boxes are in the page as displayed (points from the bottom-left corner, after /Rotate), as
 * the signing engine takes them. The canvas is rendered at twice the screen resolution at
 * least, so small marks (the dot under "Ị") stay separate. pdf.js loads on demand.
 */
import { useEffect, useId, useRef, useState, type PointerEvent as RPointerEvent, type ReactNode } from 'react';
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

let pdfjsPromise: Promise<PdfJs> | undefined;
/** Loads pdf.js and points it at its worker (a same-origin file: CSP allows 'self'). */
export function loadPdfJs(): Promise<PdfJs> {
  pdfjsPromise ??= Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]).then(([lib, worker]) => {
    lib.GlobalWorkerOptions.workerSrc = worker.default;
    return lib;
  });
  return pdfjsPromise;
}

/**
 * Where pdf.js finds its data files (copied next to the app by renderer/vite.config.ts): the
 * predefined CMaps, the standard fonts' data, the image decoders and colour profiles.
 */
export function pdfjsDataOptions(base: string): { cMapUrl: string; cMapPacked: true; standardFontDataUrl: string; wasmUrl: string; iccUrl: string } {
  const at = (dir: string) => new URL(`pdfjs/${dir}/`, base).href;
  return { cMapUrl: at('cmaps'), cMapPacked: true, standardFontDataUrl: at('standard_fonts'), wasmUrl: at('wasm'), iccUrl: at('iccs') };
}

/** Decodes base64 without atob's string detour for large files. */
export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Canvas pixels per CSS pixel: the screen's, and never below 2 (see the file comment). */
export function oversampling(devicePixelRatio: number): number {
  return Math.min(4, Math.max(2, devicePixelRatio || 1));
}

/** Zoom levels offered, as factors of "fit" (the page's width in the preview column). */
const zooms = [1, 1.25, 1.5, 2] as const;
/** Width of the page at "fit", CSS pixels. */
const fitWidth = 640;

/** Props of PdfPreview. */
export interface PdfPreviewProps {
  path: string;
  /** The placed box (with onPlace: the page can be dragged on). */
  placement?: Placement | null;
  onPlace?(p: Placement | null): void;
  /** The box while it is being dragged (for a live preview of the appearance). */
  onDrag?(p: Placement | null): void;
  /** Drawn over the page: gets the page number and the scale (CSS pixels per point). */
  overlay?(view: { page: number; scale: number }): ReactNode;
  /** A page to show (e.g. where the anchor was found); the user can still browse. */
  showPage?: number;
  /** A box of the shown page to scroll into view (the stamp), displayed page coordinates. */
  reveal?: [number, number, number, number] | null;
  testId?: string;
}

/** The preview with page navigation, zoom and, when placing, the drag box. */
export function PdfPreview({ path, placement = null, onPlace, onDrag, overlay, showPage, reveal, testId = 'preview' }: PdfPreviewProps) {
  const api = useApi();
  const { t } = useI18n();
  const id = useId();
  const canvas = useRef<HTMLCanvasElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const [doc, setDoc] = useState<PdfDoc | null>(null);
  const [pageNo, setPageNo] = useState(1);
  const [zoom, setZoom] = useState<number>(1);
  // The last finished render, with the file it belongs to: a render of the previous file
  // must not accept a drag on the new one.
  const [rendered, setRendered] = useState<{ path: string; page: number; scale: number; size: [number, number] } | null>(null);
  const view = rendered && rendered.path === path && rendered.page === pageNo ? rendered : null;
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
        const d = await lib.getDocument({ data: base64ToBytes(r.value.base64), isEvalSupported: false, ...pdfjsDataOptions(document.baseURI) }).promise;
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
    if (doc && showPage && showPage >= 1 && showPage <= doc.numPages) setPageNo(showPage);
  }, [doc, showPage]);

  useEffect(() => {
    if (!doc || !canvas.current) return;
    let task: { cancel(): void } | undefined;
    let live = true;
    void doc.getPage(pageNo).then((page) => {
      if (!live || !canvas.current) return;
      const base = page.getViewport({ scale: 1 });
      const scale = Math.min(1.5, fitWidth / base.width) * zoom;
      const ratio = oversampling(window.devicePixelRatio);
      const vp = page.getViewport({ scale: scale * ratio });
      const c = canvas.current;
      c.width = Math.floor(vp.width);
      c.height = Math.floor(vp.height);
      c.style.width = `${vp.width / ratio}px`;
      c.style.height = `${vp.height / ratio}px`;
      const r = page.render({ canvas: c, viewport: vp });
      task = r;
      void r.promise.then(() => live && setRendered({ path, page: pageNo, scale, size: [base.width, base.height] }), () => {});
    }, (e: unknown) => {
      // A page pdf.js cannot find or read (a broken page tree in a received file): said on the
      // preview, never left as an unhandled error.
      if (live) setError({ code: 'notPdf', message: t('error.notPdf', { path }) + ` (${e instanceof Error ? e.message : ''})` });
    });
    return () => {
      live = false;
      task?.cancel();
    };
    // path is read with doc: doc changes whenever path does.
  }, [doc, pageNo, zoom]);

  // Bring the stamp into view when it moves out of sight (not while the user drags).
  const revealKey = reveal && view && !drag ? reveal.map((n) => Math.round(n)).join(',') : '';
  useEffect(() => {
    const el = scroller.current;
    if (!revealKey || !el || !view || !reveal) return;
    const top = (view.size[1] - reveal[1] - reveal[3]) * view.scale;
    const bottom = (view.size[1] - reveal[1]) * view.scale;
    if (top < el.scrollTop || bottom > el.scrollTop + el.clientHeight) el.scrollTop = Math.max(0, top - 40);
  }, [revealKey]);

  /** A box in CSS pixels of the page as a placement (displayed page coordinates, points). */
  const toPlacement = (x0: number, y0: number, x1: number, y1: number): Placement | null => {
    if (!view) return null;
    const s = view.scale;
    const w = Math.abs(x1 - x0) / s;
    const h = Math.abs(y1 - y0) / s;
    if (w < 5 || h < 5) return null;
    const r = (n: number) => Math.round(n * 10) / 10;
    return { page: pageNo, rect: [r(Math.min(x0, x1) / s), r(view.size[1] - Math.max(y0, y1) / s), r(w), r(h)] };
  };
  /** The placement box in CSS pixels, for drawing. */
  const boxPx = (): { left: number; top: number; width: number; height: number } | null => {
    if (drag) return { left: Math.min(drag.x0, drag.x1), top: Math.min(drag.y0, drag.y1), width: Math.abs(drag.x1 - drag.x0), height: Math.abs(drag.y1 - drag.y0) };
    if (!placement || placement.page !== pageNo || !view) return null;
    const [x, y, w, h] = placement.rect;
    return { left: x * view.scale, top: (view.size[1] - y - h) * view.scale, width: w * view.scale, height: h * view.scale };
  };
  const point = (e: RPointerEvent<HTMLDivElement>) => {
    const b = e.currentTarget.getBoundingClientRect();
    return { x: Math.max(0, Math.min(b.width, e.clientX - b.left)), y: Math.max(0, Math.min(b.height, e.clientY - b.top)) };
  };

  const placing = Boolean(onPlace);
  const box = placing ? boxPx() : null;
  const pages = doc?.numPages ?? 0;
  return (
    <div className="preview" data-testid={testId}>
      <ErrorBanner error={error} />
      {doc && (
        <div className="row" role="group" aria-label={t('ui.preview.pages')}>
          <button type="button" disabled={pageNo <= 1} onClick={() => setPageNo(pageNo - 1)} aria-label={t('ui.preview.prev')}>‹</button>
          <span data-testid="preview-page">{t('ui.preview.pageOf', { page: pageNo, count: pages })}</span>
          <button type="button" disabled={pageNo >= pages} onClick={() => setPageNo(pageNo + 1)} aria-label={t('ui.preview.next')}>›</button>
          <label htmlFor={`${id}-zoom`} className="muted">{t('ui.preview.zoom')}</label>
          <select id={`${id}-zoom`} value={zoom} onChange={(e) => setZoom(Number(e.target.value))} data-testid="preview-zoom">
            {zooms.map((z) => <option key={z} value={z}>{z === 1 ? t('ui.preview.zoomFit') : `${Math.round(z * 100)}%`}</option>)}
          </select>
          {placing && <span className="muted">{view ? t('ui.preview.dragHint') : t('ui.preview.rendering')}</span>}
        </div>
      )}
      <div className="page-scroll" ref={scroller}>
        <div className={placing ? 'page-frame placing' : 'page-frame'} data-testid="preview-frame" data-ready={view ? 'true' : 'false'} aria-busy={!view}
          onPointerDown={(e) => {
            if (!view || !placing) return;
            e.currentTarget.setPointerCapture(e.pointerId);
            const p = point(e);
            setDrag({ x0: p.x, y0: p.y, x1: p.x, y1: p.y });
          }}
          onPointerMove={(e) => {
            if (!drag) return;
            const p = point(e);
            const next = { ...drag, x1: p.x, y1: p.y };
            setDrag(next);
            onDrag?.(toPlacement(next.x0, next.y0, next.x1, next.y1));
          }}
          onPointerUp={() => {
            if (!drag) return;
            const placed = toPlacement(drag.x0, drag.y0, drag.x1, drag.y1);
            setDrag(null);
            onDrag?.(null);
            if (placed) onPlace?.(placed);
          }}>
          <canvas ref={canvas} data-testid="preview-canvas" aria-label={t('ui.preview.canvas', { page: pageNo })} role="img" />
          {view && overlay?.({ page: pageNo, scale: view.scale })}
          {box && <div className="sig-box" data-testid="sig-box" style={{ left: box.left, top: box.top, width: box.width, height: box.height }} />}
        </div>
      </div>
    </div>
  );
}
