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

/** 4:2:2 JPEGs (sharp cannot write them): libjpeg-turbo's cjpeg -sample 2x1 from a photo. */
const jpeg422 = (name: string): Buffer => readFileSync(new URL(`../data/${name}`, import.meta.url));

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
    ['33x17 4:2:2', jpeg422('jpeg-422-33x17.jpg')],
    ['5x5 4:2:2', jpeg422('jpeg-422-5x5.jpg')],
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
    const fast = await YccKernels.inTurn(1 << 30, async (kernels) => {
      kernels.planes(planes.data.length).set(planes.data);
      return Buffer.from(kernels.toRgbView(planes));
    });
    if (!fast) throw new Error('no WebAssembly SIMD in Node');
    expect(fast.equals(reference), `${name}: kernels`).toBe(true);
  }
});
