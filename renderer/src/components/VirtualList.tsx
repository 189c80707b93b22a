/**
 * A fixed-row-height virtual list: only the rows in view (plus a margin) are in the DOM, so
 * 100,000 register entries scroll smoothly. Asks for more rows when the end comes into view.
 */
import { useState, type ReactNode } from 'react';

/** Rows visible in a window of `height` px at `scrollTop`, with `overscan` extra rows each side. */
export function visibleRange(count: number, rowHeight: number, height: number, scrollTop: number, overscan = 10): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return [first, last];
}

/** Props of VirtualList. */
export interface VirtualListProps<T> {
  items: T[];
  rowHeight?: number;
  height?: number;
  label: string;
  render(item: T, index: number): ReactNode;
  onNearEnd?(): void;
  testId?: string;
}

/** The list. */
export function VirtualList<T>({ items, rowHeight = 36, height = 520, label, render, onNearEnd, testId }: VirtualListProps<T>) {
  const [scrollTop, setScrollTop] = useState(0);
  const [first, last] = visibleRange(items.length, rowHeight, height, scrollTop);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} className="vrow" role="row" aria-rowindex={i + 1} style={{ top: i * rowHeight }}>
        {render(items[i]!, i)}
      </div>,
    );
  }
  return (
    <div className="vlist" role="table" aria-label={label} aria-rowcount={items.length} tabIndex={0} style={{ height }} data-testid={testId}
      onScroll={(e) => {
        const top = e.currentTarget.scrollTop;
        setScrollTop(top);
        if (onNearEnd && top + height >= items.length * rowHeight - rowHeight * 20) onNearEnd();
      }}>
      <div style={{ height: items.length * rowHeight, position: 'relative' }}>{rows}</div>
    </div>
  );
}
