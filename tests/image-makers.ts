// Test inputs made in memory: odd and hostile image files for decoding and batch tests.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { fixtureImage } from './fixture.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A 16-bit PNG with the given samples (sharp cannot be told 16-bit raw input). */
export function png16(width: number, channels: 1 | 3, samples: number[]): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 16, channels === 1 ? 0 : 2, 0, 0, 0]);
  ihdr.writeUInt32BE(width, 0);
  const raw = Buffer.alloc(1 + samples.length * 2);
  samples.forEach((v, i) => raw.writeUInt16BE(v, 1 + i * 2));
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An uncompressed BMP: 40-byte header, optional palette or bit fields, bottom-up rows. */
export function bmp(
  width: number,
  height: number,
  bpp: number,
  rows: number[][],
  extra: number[] = [],
  compression = 0,
): Buffer {
  const rowSize = Math.ceil((bpp * width) / 32) * 4;
  const offset = 54 + extra.length;
  const out = Buffer.alloc(offset + rowSize * Math.abs(height));
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(offset, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(bpp, 28);
  out.writeUInt32LE(compression, 30);
  Buffer.from(extra).copy(out, 54);
  rows.forEach((row, y) => Buffer.from(row).copy(out, offset + y * rowSize));
  return out;
}

/** A header that claims a fake HEIC (ISO-BMFF 'ftypheic') followed by junk. */
export function fakeHeic(): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypheic\0\0\0\0mif1heic', 4, 'latin1');
  return Buffer.concat([ftyp, Buffer.alloc(100)]);
}

/**
 * A decompression bomb: a valid PNG header for 60000 x 60000 RGB (10.8 GB decoded) whose
 * pixel data is a short run of zeros; only a dimension check before decoding stops it.
 */
export function bombPng(): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 8, 2, 0, 0, 0]);
  ihdr.writeUInt32BE(60000, 0);
  ihdr.writeUInt32BE(60000, 4);
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(4 << 20))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface BadInput {
  name: string;
  /** The error name expected, or null when the file must be classified. */
  error: string | null;
}

/** Writes the issue-3 bad-input folder and says what each file must give. */
export async function writeBadInputFolder(dir: string): Promise<BadInput[]> {
  mkdirSync(dir, { recursive: true });
  const jpg = readFileSync(fixtureImage('chelsea.jpg'));
  const base = sharp(fixtureImage('astronaut.png')).resize(64, 64);
  const frames = [
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
      .png()
      .toBuffer(),
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#00f' } })
      .png()
      .toBuffer(),
  ];
  const files: [string, Buffer | Promise<Buffer>, string | null][] = [
    ['good.jpg', jpg, null],
    ['truncated.jpg', jpg.subarray(0, jpg.length >> 1), 'ImageDecodeFailed'],
    ['empty.jpg', Buffer.alloc(0), 'EmptyFile'],
    ['notes.jpg', Buffer.from('file,labels\nroom.jpg,bed\n'), 'UnsupportedImageFormat'],
    [
      'drawing.svg',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'UnsupportedImageFormat',
    ],
    ['photo.heic', fakeHeic(), 'UnsupportedImageFormat'],
    [
      'animated.gif',
      sharp(frames, { join: { animated: true } })
        .gif()
        .toBuffer(),
      null,
    ],
    ['deep.png', png16(2, 3, [65535, 0, 0, 0, 65535, 0]), null],
    ['cmyk.jpg', base.clone().toColourspace('cmyk').jpeg().toBuffer(), null],
    ['photo.webp', base.clone().webp().toBuffer(), null],
    ['photo.tiff', base.clone().tiff().toBuffer(), null],
    [
      'photo.bmp',
      bmp(2, 2, 24, [
        [0, 0, 255, 0, 255, 0, 0, 0],
        [255, 0, 0, 255, 255, 255, 0, 0],
      ]),
      null,
    ],
    ['bomb.png', bombPng(), 'ImageTooLarge'],
    ['frame-bomb.gif', gifFrameBomb(), 'ImageTooLarge'],
    ['frame-bomb.webp', webpFrameBomb(), 'ImageTooLarge'],
    ['no-ispe.avif', avifWithoutIspe(), 'ImageSizeUnknown'],
    // Large but legal (80 megapixels): decoded for real, so it exercises the memory bound.
    [
      'large.jpg',
      sharp({ create: { width: 10000, height: 8000, channels: 3, background: '#468' } })
        .jpeg()
        .toBuffer(),
      null,
    ],
  ];
  const out: BadInput[] = [];
  for (const [name, bytes, error] of files) {
    writeFileSync(join(dir, name), await bytes);
    out.push({ name, error });
  }
  return out;
}

/**
 * A GIF frame bomb (issue 10): a 1x1 logical screen whose only frame is 20000 x 20000; a decoder
 * grows the canvas to the frame, so only walking the frames stops it.
 */
export function gifFrameBomb(side = 20000): Buffer {
  const screen = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00', 'latin1');
  const frame = Buffer.alloc(10);
  frame[0] = 0x2c;
  frame.writeUInt16LE(side, 5);
  frame.writeUInt16LE(side, 7);
  // LZW minimum code size 2, one sub-block holding clear + end codes, block terminator, trailer.
  return Buffer.concat([screen, frame, Buffer.from([2, 2, 0x4c, 0x01, 0, 0x3b])]);
}

/** An APNG whose 1x1 canvas holds a second frame of side x side. */
export function apngFrameBomb(side = 20000): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  const fctl = (seq: number, w: number, h: number): Buffer => {
    const b = Buffer.alloc(26);
    b.writeUInt32BE(seq, 0);
    b.writeUInt32BE(w, 4);
    b.writeUInt32BE(h, 8);
    b.writeUInt16BE(1, 20); // delay 1/10 s
    b.writeUInt16BE(10, 22);
    return b;
  };
  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(2, 0);
  const fdat = Buffer.concat([Buffer.from([0, 0, 0, 2]), deflateSync(Buffer.alloc(side + 1))]);
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('acTL', actl),
    pngChunk('fcTL', fctl(0, 1, 1)),
    pngChunk('IDAT', deflateSync(Buffer.from([0, 0]))),
    pngChunk('fcTL', fctl(1, side, side)),
    pngChunk('fdAT', fdat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

const riffChunk = (type: string, data: Buffer): Buffer => {
  const head = Buffer.alloc(8);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
};

/** An animated WebP whose 1x1 canvas holds an ANMF frame of side x side. */
export function webpFrameBomb(side = 20000): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x[0] = 0x02; // animation
  const anmf = Buffer.alloc(16);
  anmf.writeUIntLE(side - 1, 6, 3);
  anmf.writeUIntLE(side - 1, 9, 3);
  const body = Buffer.concat([
    Buffer.from('WEBP', 'latin1'),
    riffChunk('VP8X', vp8x),
    riffChunk('ANIM', Buffer.alloc(6)),
    riffChunk('ANMF', anmf),
  ]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

/** A real AVIF whose `ispe` properties are renamed: it no longer states its size. */
export async function avifWithoutIspe(): Promise<Buffer> {
  const avif = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#48c' } })
    .avif()
    .toBuffer();
  const out = Buffer.from(avif);
  for (let i = out.indexOf('ispe'); i >= 0; i = out.indexOf('ispe', i + 4)) out.write('free', i);
  return out;
}
