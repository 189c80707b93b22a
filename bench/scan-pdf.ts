/** Synthetic "scanned" PDFs for benchmarks: one page drawing one big uncompressed RGB image. */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

/** Emits, piece by piece, a one-page PDF whose image stream has about `bytes` random bytes. */
function emitScanLikePdf(bytes: number, sink: (b: Buffer) => void): void {
  const side = Math.ceil(Math.sqrt(bytes / 3));
  const n = side * side * 3;
  let pos = 0;
  const offsets: number[] = [];
  const w = (s: string | Buffer): void => {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    sink(b);
    pos += b.length;
  };
  w('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  offsets[1] = pos;
  w(`1 0 obj\n<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /BitsPerComponent 8 /ColorSpace /DeviceRGB /Length ${n} >>\nstream\n`);
  for (let left = n; left > 0; left -= 1 << 20) w(randomBytes(Math.min(left, 1 << 20)));
  w('\nendstream\nendobj\n');
  const draw = 'q 595 0 0 842 0 0 cm /Im1 Do Q';
  const objs = [
    '<< /Type /Catalog /Pages 3 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 /MediaBox [0 0 595 842] >>',
    '<< /Type /Page /Parent 3 0 R /Resources << /XObject << /Im1 1 0 R >> >> /Contents 5 0 R >>',
    `<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`,
  ];
  objs.forEach((o, i) => {
    offsets[i + 2] = pos;
    w(`${i + 2} 0 obj\n${o}\nendobj\n`);
  });
  const xref = pos;
  w(`xref\n0 6\n0000000000 65535 f\r\n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n\r\n`).join('')}`);
  w(`trailer\n<< /Size 6 /Root 2 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
}

/** Writes a scan-like PDF of about `bytes` bytes to `path`, streaming (constant memory). */
export function writeScanLikePdf(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  try {
    emitScanLikePdf(bytes, (b) => writeSync(fd, b));
  } finally {
    closeSync(fd);
  }
}

/** A scan-like PDF of about `bytes` bytes, in memory. */
export function scanLikePdf(bytes: number): Buffer {
  const parts: Buffer[] = [];
  emitScanLikePdf(bytes, (b) => parts.push(b));
  return Buffer.concat(parts);
}
