/**
 * Draws the Teams app icons (a key on a shield) as PNGs, so the package needs no design tool:
 * color.png 192x192 on a solid background, outline.png 32x32 white on transparent, as Teams requires.
 * Run: npx tsx scripts/make-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { encodePng } from '../src/png.js';

type Rgba = [number, number, number, number];

function png(size: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) rows.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  return encodePng(size, 6, rows);
}

/** True where the key-on-shield glyph is, in unit coordinates (0..1). */
function glyph(u: number, v: number): boolean {
  const shield = Math.abs(u - 0.5) < 0.36 - Math.max(0, v - 0.55) * 0.8 && v > 0.12 && v < 0.92;
  const ringDistance = Math.hypot(u - 0.5, v - 0.38);
  const keyHole = ringDistance < 0.07;
  const ring = ringDistance < 0.15;
  const shaft = Math.abs(u - 0.5) < 0.04 && v > 0.38 && v < 0.75;
  const bit = v > 0.6 && v < 0.66 && u > 0.5 && u < 0.6;
  const inShield = shield && !(ring && !keyHole) && !shaft && !bit;
  return inShield;
}

const brand: Rgba = [0, 95, 184, 255];
writeFileSync(
  new URL('../appPackage/color.png', import.meta.url),
  png(192, (x, y) => (glyph(x / 192, y / 192) ? [255, 255, 255, 255] : brand)),
);
writeFileSync(
  new URL('../appPackage/outline.png', import.meta.url),
  png(32, (x, y) => (glyph((x + 0.5) / 32, (y + 0.5) / 32) ? [255, 255, 255, 255] : [0, 0, 0, 0])),
);
