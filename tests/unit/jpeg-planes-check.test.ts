import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { expect, test } from 'vitest';
import { planeFormat, readJpegInfo } from '../../src/core/jpeg-info.ts';
import { CHECK_JPEG, CHECK_RGB_SHA256 } from '../../src/worker/jpeg-planes.ts';

test("the browser-planes check image: libjpeg-turbo's RGB (PIL's settings) has the stored digest", async () => {
  const bytes = Buffer.from(CHECK_JPEG, 'base64');
  const info = readJpegInfo(bytes);
  expect(info && planeFormat(info)).toBe('I420');
  expect(info).toMatchObject({ width: 24, height: 20 }); // at least the path's 16 px a side
  const rgb = await sharp(bytes).raw().toBuffer();
  expect(createHash('sha256').update(rgb).digest('hex')).toBe(CHECK_RGB_SHA256);
});
