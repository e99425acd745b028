// Draws the app icon (a navy tile, a white Communications Hub outline, an amber "flash"
// bolt) and writes build/icon.png (512 px) plus build/icons/<n>x<n>.png for Linux.
// Hand-written PNG encoding (zlib + CRC from Node) so making the icon needs no download
// and no image library: `node build/make-icon.mjs`. The PNGs are committed; rerun after a change.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync, crc32 } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));

const NAVY = [15, 42, 68];
const WHITE = [244, 247, 250];
const AMBER = [255, 183, 3];

/** Signed distance to a rounded rectangle centred at (cx, cy). */
function roundedRect(x, y, cx, cy, hw, hh, r) {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Even-odd point-in-polygon test. */
function inPolygon(x, y, points) {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i];
    const [xj, yj] = points[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const BOLT = [
  [0.56, 0.2],
  [0.36, 0.54],
  [0.49, 0.54],
  [0.42, 0.82],
  [0.66, 0.44],
  [0.52, 0.44],
  [0.6, 0.2],
];

/** Colour and coverage at a point of the unit square. */
function sample(u, v) {
  if (roundedRect(u, v, 0.5, 0.5, 0.47, 0.47, 0.12) > 0) return null;
  if (inPolygon(u, v, BOLT)) return AMBER;
  const outer = roundedRect(u, v, 0.5, 0.51, 0.3, 0.36, 0.08);
  if (outer <= 0 && outer > -0.045) return WHITE;
  return NAVY;
}

function render(size) {
  const ss = 4; // 4 x 4 supersampling for smooth edges
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = sample((x + (sx + 0.5) / ss) / size, (y + (sy + 0.5) / ss) / size);
          if (c === null) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const n = ss * ss;
      raw[o] = a === 0 ? 0 : Math.round(r / a);
      raw[o + 1] = a === 0 ? 0 : Math.round(g / a);
      raw[o + 2] = a === 0 ? 0 : Math.round(b / a);
      raw[o + 3] = Math.round((255 * a) / n);
    }
  }
  return raw;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A PNG (8-bit RGBA) of the icon at `size` pixels. */
export function iconPng(size) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(render(size), { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(here, "icon.png"), iconPng(512));
  mkdirSync(join(here, "icons"), { recursive: true });
  for (const size of [16, 32, 48, 64, 128, 256, 512])
    writeFileSync(join(here, "icons", `${size}x${size}.png`), iconPng(size));
  console.log("wrote build/icon.png and build/icons/*.png");
}
