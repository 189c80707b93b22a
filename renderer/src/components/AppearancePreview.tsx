/**
 * The real appearance of a signature (what the signing engine will draw: images, text, seal,
 * the number and date in the letter's blanks), from `sign:layout`. Used over the page preview
 * while the user places a stamp (mode "page") and on its own, e.g. in a consent dialog (mode
 * "box"). Coordinates come in points from the bottom-left of the displayed page.
 */
import type { CSSProperties } from 'react';
import type { OutputOf } from '../../../main/api/index.js';
import { useImageUrl } from '../api/images.js';

/** The layout `sign:layout` returns. */
export type AppearanceLayout = OutputOf<'sign:layout'>;
type Part = AppearanceLayout['parts'][number];
type Item = Part['items'][number];

/** Props of AppearancePreview. */
export interface AppearancePreviewProps {
  layout: AppearanceLayout;
  /** Pixels per point. */
  scale: number;
  /** The image files the appearance names (the signature image and the seal). */
  images: { signature?: string; seal?: string };
  /** "page": positioned over a page preview of the layout's page; "box": the stamp alone. */
  mode?: 'page' | 'box';
  testId?: string;
}

const rgb = (c: [number, number, number]) => `rgb(${c.map((v) => Math.round(v * 255)).join(',')})`;

function ItemView({ item, partHeight, scale, src }: { item: Item; partHeight: number; scale: number; src: { signature?: string; seal?: string } }) {
  if (item.kind === 'image') {
    const [x, y, w, h] = item.box;
    const url = src[item.image];
    const style: CSSProperties = { position: 'absolute', left: x * scale, top: (partHeight - y - h) * scale, width: w * scale, height: h * scale };
    return url ? <img src={url} alt="" style={style} data-kind={item.image} /> : <div className="stamp-missing" style={style} data-kind={item.image} />;
  }
  if (item.kind === 'frame') {
    const [x, y, w, h] = item.box;
    return <div style={{ position: 'absolute', left: x * scale, top: (partHeight - y - h) * scale, width: w * scale, height: h * scale, border: `${Math.max(1, item.lineWidth * scale)}px solid ${rgb(item.color)}`, boxSizing: 'border-box' }} />;
  }
  const style: CSSProperties = {
    position: 'absolute',
    left: item.x * scale,
    top: (partHeight - item.top) * scale,
    width: (item.width / item.hscale) * scale,
    fontFamily: '"Liberation Serif", "Times New Roman", serif',
    fontSize: item.size * scale,
    lineHeight: `${item.size * item.lineHeight * scale}px`,
    fontStyle: item.style === 'italic' ? 'italic' : 'normal',
    fontWeight: item.style === 'bold' ? 700 : 400,
    color: rgb(item.color),
    textAlign: item.align,
    whiteSpace: 'pre',
    transform: item.hscale !== 1 ? `scaleX(${item.hscale})` : undefined,
    transformOrigin: 'left top',
  };
  return <div style={style}>{item.lines.join('\n')}</div>;
}

/** Draws the layout; pointer events pass through (the page below takes the drags). */
export function AppearancePreview({ layout, scale, images, mode = 'page', testId = 'appearance-preview' }: AppearancePreviewProps) {
  const signature = useImageUrl(images.signature);
  const seal = useImageUrl(images.seal);
  const [bx, by, bw, bh] = layout.box;
  // Origin of the drawing: the page's top-left, or the widget box's.
  const ox = mode === 'page' ? 0 : bx;
  const oTop = mode === 'page' ? layout.pageSize[1] : by + bh;
  const outer: CSSProperties = mode === 'page'
    ? { position: 'absolute', inset: 0, pointerEvents: 'none' }
    : { position: 'relative', width: bw * scale, height: bh * scale, background: '#fff', border: '1px solid var(--line)' };
  return (
    <div style={outer} data-testid={testId} data-page={layout.page} aria-hidden="true">
      {layout.parts.map((p, i) => {
        const [x, y, w, h] = p.box;
        return (
          <div key={i} className="stamp-part" data-testid="appearance-part" style={{ position: 'absolute', left: (x - ox) * scale, top: (oTop - y - h) * scale, width: w * scale, height: h * scale }}>
            {p.items.map((it, k) => <ItemView key={k} item={it} partHeight={h} scale={scale} src={{ signature, seal }} />)}
          </div>
        );
      })}
    </div>
  );
}
