/**
 * 16-bit PNG bytes for tests, encoded by hand: sharp 0.34 neither reads 16-bit raw input
 * nor writes 16-bit TIFF, so the tests make their 16-bit files here (sharp's metadata
 * confirms they are 16-bit) and decode them with sharp.
 */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A 16-bit PNG of interleaved samples (1 gray, 2 gray + alpha, 3 RGB channels). */
export function png16(width: number, height: number, channels: 1 | 2 | 3, samples: ArrayLike<number>): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16;
  ihdr[9] = channels === 1 ? 0 : channels === 2 ? 4 : 2;
  const rows = Buffer.alloc(height * (1 + width * channels * 2));
  let o = 0;
  for (let y = 0; y < height; y++) {
    rows[o++] = 0;
    for (let i = 0; i < width * channels; i++, o += 2) rows.writeUInt16BE(samples[y * width * channels + i], o);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
