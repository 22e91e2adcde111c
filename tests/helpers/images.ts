// Images for the photo tests (unit and e2e): real ones made with sharp, and hostile ones.
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** A JPEG carrying EXIF with a GPS position (which storing must strip). */
export const jpegWithGps = (background = '#7fa85c', width = 1600, height = 1200) =>
  sharp({ create: { width, height, channels: 3, background } })
    .jpeg()
    .withExif({
      IFD0: { ImageDescription: 'secret-exif-marker', Make: 'Phone' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '43/1 39/1 0/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '0/1 35/1 0/1',
      },
    })
    .toBuffer();

export const png = (width = 640, height = 480, background = '#c0663f80') =>
  sharp({ create: { width, height, channels: 4, background } })
    .png()
    .toBuffer();

export const webp = () =>
  sharp({ create: { width: 800, height: 600, channels: 3, background: '#1f5f4a' } })
    .webp()
    .toBuffer();

/** A PNG of 30 000 × 30 000 one-bit pixels (900 Mpx) that weighs about 110 kB: a decompression bomb. */
export function pngBomb(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body) >>> 0, 8 + data.length);
    return out;
  };
  const side = 30_000;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc(side * (1 + Math.ceil(side / 8)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
