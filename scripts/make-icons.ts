/**
 * Draws the Teams app icons (a key on a shield) as PNGs, so the package needs no design tool:
 * color.png 192x192 on a solid background, outline.png 32x32 white on transparent, as Teams requires.
 * Run: npx tsx scripts/make-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];

function png(size: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) rows.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
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
