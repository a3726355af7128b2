// The browser's JPEG planes (WebCodecs ImageDecoder: I420, I422, I444 before libjpeg's upsampling and
// colour conversion), converted by core/ycc-rgb.ts, give libjpeg-turbo's RGB exactly: sharp's
// (the same library and settings as PIL) on every file, and the WebAssembly SIMD kernels give the
// reference's bytes. Layouts the app leaves to the WASM decoder are reported, not converted.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { planeFormat, readJpegInfo } from '../../src/core/jpeg-info.ts';
import { YccKernels, yccToRgbJs, type YccPlanes } from '../../src/core/ycc-rgb.ts';
import { CHECK_JPEG } from '../../src/worker/jpeg-planes.ts';
import { fixtureImage } from '../fixture.ts';

const JPEG_422_33X17 = [
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4R',
  'DgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU',
  'FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAARCAARACEDASEAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAA',
  'AAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk',
  'M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT',
  'lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA',
  'HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdh',
  'cRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hp',
  'anN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk',
  '5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDnY/7UumkvLi2j07Qlny5miy7lm+ZlAPAGMnPXtXG+JvGUmh+K',
  '0in0u0XTZ45Y5b6AspjDyCJCpZiJGIKvjA46V8IkpT5X8vU+4nL2cU0r66npGvaLomhQaxq+olrSLToQXPVV2xld',
  '/qeAD9abFDF438KS61ptnq0phTzIrZbbHnHAxnGcjB454zXZhFL2ivr/AMMZV5JJqO//AATjs63/ANCtef8Afl//',
  'AImivY5EefaZ1Gq6Teacn2U6lcwaXeMswlQgxhjjlgRwDwcgjmq3iLwOTpT6fdtFdpdjZA4h+6SeDnBxz6EV8viI',
  'ukm77Hv0mp2SRlxeNLbX/C1xp2pSLJrUN4ltPA7lZJEQkSbhwcYUE11+leG9Yl0iSXTdfj0kWceXs4ZWRohnIx65',
  'ySTzkmtcthOU3zuzRhjuWC91bnU/2B4i/wCh71b8xRX0nLP+Y8XQpS/8k5tP+vMf+g1k3H3PD/8AuR187jtvuPdw',
  'u5wOp/8AJyXjL/r0T/0CGvQ9T+6f+Bf0rso/xX8v1ObFfDH0O9or1zyj/9k=',
].join('');
const JPEG_422_5X5 = [
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4R',
  'DgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU',
  'FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAARCAAFAAUDASEAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAA',
  'AAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk',
  'M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT',
  'lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA',
  'HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdh',
  'cRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hp',
  'anN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk',
  '5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwCDStAI1PU7VLpo/IdSZAgLPuyec9hzj60V8nCFoq7PsKlS0rI/',
  '/9k=',
].join('');

async function cases(): Promise<[string, Buffer][]> {
  const chelsea = readFileSync(fixtureImage('chelsea.jpg'));
  const odd = sharp(chelsea).extract({ left: 3, top: 5, width: 333, height: 211 });
  return [
    ['chelsea.jpg', chelsea],
    ['chelsea-exif6.jpg', readFileSync(fixtureImage('chelsea-exif6.jpg'))],
    ['tall-chelsea.jpg', readFileSync(fixtureImage('tall-chelsea.jpg'))],
    ['333x211 4:2:0', await odd.clone().jpeg({ quality: 90 }).toBuffer()],
    ['333x211 progressive', await odd.clone().jpeg({ progressive: true }).toBuffer()],
    ['333x211 4:4:4', await odd.clone().jpeg({ chromaSubsampling: '4:4:4' }).toBuffer()],
    ['17x16 4:2:0', await sharp(chelsea).resize(17, 16).jpeg().toBuffer()],
    // Chroma 3 and 2 samples wide: libjpeg filters the first, copies the second.
    ['5x5 4:2:0', await sharp(chelsea).resize(5, 5).jpeg().toBuffer()],
    ['4x3 4:2:0', await sharp(chelsea).resize(4, 3).jpeg().toBuffer()],
    // 4:2:2 (sharp cannot write it; made with libjpeg-turbo's cjpeg -sample 2x1 from a photo).
    ['33x17 4:2:2', Buffer.from(JPEG_422_33X17, 'base64')],
    ['5x5 4:2:2', Buffer.from(JPEG_422_5X5, 'base64')],
    // The worker's own check image: its planes must give the digest the worker expects.
    ['the check image', Buffer.from(CHECK_JPEG, 'base64')],
    ['gray (not planes)', await odd.clone().toColourspace('b-w').jpeg().toBuffer()],
  ];
}

test('JPEG planes from the browser convert to libjpeg-turbo’s RGB, byte for byte', async ({
  page,
}) => {
  await page.goto('/');
  for (const [name, bytes] of await cases()) {
    const info = readJpegInfo(bytes);
    if (!info) throw new Error(`${name}: no JPEG info`);
    const got = await page.evaluate(async (b64) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const decoder = new ImageDecoder({ data, type: 'image/jpeg', colorSpaceConversion: 'none' });
      const { image } = await decoder.decode();
      const out = new Uint8Array(image.allocationSize());
      const layout = await image.copyTo(out);
      const format = String(image.format);
      image.close();
      decoder.close();
      let s = '';
      for (let i = 0; i < out.length; i += 0x8000) {
        s += String.fromCharCode(...out.subarray(i, i + 0x8000));
      }
      return { format, layout, planes: btoa(s) };
    }, bytes.toString('base64'));
    const format = planeFormat(info);
    // What the app expects of the browser: these planes exactly where it would take them.
    expect(got.format, name).toBe(format ?? got.format);
    if (!format) {
      expect(['I420', 'I422', 'I444']).not.toContain(got.format);
      continue;
    }
    const [y, cb, cr] = got.layout;
    if (!y || !cb || !cr) throw new Error(`${name}: ${got.layout.length} planes`);
    const planes: YccPlanes = {
      format,
      width: info.width,
      height: info.height,
      data: new Uint8Array(Buffer.from(got.planes, 'base64')),
      layout: [y, cb, cr],
    };
    const reference = await sharp(bytes).raw().toBuffer(); // as stored: no EXIF rotation
    expect(Buffer.from(yccToRgbJs(planes)).equals(reference), `${name}: reference`).toBe(true);
    const kernels = YccKernels.take();
    if (!kernels) throw new Error('no WebAssembly SIMD in Node');
    kernels.planes(planes.data.length).set(planes.data);
    const fast = Buffer.from(kernels.toRgbView(planes));
    YccKernels.give(kernels, 1 << 30);
    expect(fast.equals(reference), `${name}: kernels`).toBe(true);
  }
});
