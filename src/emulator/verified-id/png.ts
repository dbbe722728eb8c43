import { createHash } from 'node:crypto';
import { encodePng } from '../../png.js';

/**
 * A QR-code-sized picture for the emulator's `qrCode`: a PNG data URI, as the Request Service
 * returns, whose squares are derived from the URL. It is not a scannable QR code (no QR encoder is
 * installed); nothing in the bot decodes it, the page only shows it.
 */
export function qrLikePng(text: string, modules = 29, scale = 6): string {
  const bits: number[] = [];
  for (let i = 0; bits.length < modules * modules; i++) {
    for (const byte of createHash('sha256').update(`${i}:${text}`).digest())
      for (let b = 7; b >= 0; b--) bits.push((byte >> b) & 1);
  }
  const finder = (x: number, y: number) => {
    for (const [cx, cy] of [
      [0, 0],
      [modules - 7, 0],
      [0, modules - 7],
    ] as const) {
      const dx = x - cx;
      const dy = y - cy;
      if (dx >= 0 && dx < 7 && dy >= 0 && dy < 7)
        return dx === 0 || dx === 6 || dy === 0 || dy === 6 || (dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4) ? 1 : 0;
    }
    return undefined;
  };
  const quiet = 4;
  const size = (modules + 2 * quiet) * scale;
  const rows: Buffer[] = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(size + 1);
    for (let px = 0; px < size; px++) {
      const x = Math.floor(px / scale) - quiet;
      const y = Math.floor(py / scale) - quiet;
      const inside = x >= 0 && y >= 0 && x < modules && y < modules;
      const dark = inside ? (finder(x, y) ?? bits[y * modules + x]) : 0;
      row[px + 1] = dark ? 0 : 255;
    }
    rows.push(row);
  }
  const png = encodePng(size, 0, Buffer.concat(rows));
  return `data:image/png;base64,${png.toString('base64')}`;
}
