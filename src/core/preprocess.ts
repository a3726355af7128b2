/**
 * CLIPImageProcessor (transformers) on decoded pixels: RGB, resize (PIL-exact, see resize.ts),
 * center crop with zero padding, rescale, normalize, CHW float32. The float arithmetic follows
 * transformers step by step (rescale in float64 then cast to float32; normalize in float32), so
 * the output matches the reference tensors bit for bit.
 */
import { MumicError } from './errors.ts';
import { upright, uprightSize } from './exif-transpose.ts';
import type { ImageProcessorConfig } from './preprocess-config.ts';
import { resize } from './resize.ts';
import type { DecodedImage } from './types.ts';

export interface Size {
  width: number;
  height: number;
}

/**
 * The size the image is resized to, as transformers' `get_resize_output_image_size` with
 * `default_to_square=False`: the short side becomes `shortestEdge`, the long side
 * `int(shortestEdge * long / short)` (Python evaluates `shortestEdge * long` first, then a true
 * division, then truncates; the JS below does the same double operations).
 */
export function resizeOutputSize(
  width: number,
  height: number,
  config: ImageProcessorConfig,
): Size {
  if (!config.doResize) return { width, height };
  if (config.resizeTo) return { width: config.resizeTo.width, height: config.resizeTo.height };
  const s = config.shortestEdge;
  if (width <= height) return { width: s, height: Math.trunc((s * height) / width) };
  return { width: Math.trunc((s * width) / height), height: s };
}

/** The [height, width] of one preprocessed tensor (per channel). */
export function preprocessOutputSize(
  width: number,
  height: number,
  config: ImageProcessorConfig,
): Size {
  if (config.doCenterCrop) return { width: config.cropWidth, height: config.cropHeight };
  return resizeOutputSize(width, height, config);
}

/**
 * Float value for each byte value, per channel. A table is exact (same ops per value) and spares
 * the per-pixel arithmetic.
 */
function valueTables(config: ImageProcessorConfig): [Float32Array, Float32Array, Float32Array] {
  const f = Math.fround;
  const table = (c: 0 | 1 | 2): Float32Array => {
    const t = new Float32Array(256);
    const m = f(config.mean[c]);
    const s = f(config.std[c]);
    for (let v = 0; v < 256; v++) {
      // transformers `rescale`: float64 multiply, then cast to float32.
      let x = config.doRescale ? f(v * config.rescaleFactor) : v;
      // transformers `normalize`: float32 arrays, so each operation rounds to float32.
      if (config.doNormalize) x = f(f(x - m) / s);
      t[v] = x;
    }
    return t;
  };
  return [table(0), table(1), table(2)];
}

function checkImage(image: DecodedImage): void {
  const { width, height, channels, data } = image;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    ![1, 3, 4].includes(channels) ||
    data.length < width * height * channels
  ) {
    throw new MumicError(
      'InvalidArgument',
      `preprocess: bad image ${width}x${height}x${channels} with ${data.length} bytes`,
    );
  }
}

/**
 * Preprocesses one image into CHW float32 `[3, H, W]` (H, W from `preprocessOutputSize`).
 * With `out`, writes there at `offset` (in elements) and returns `out`, so a batch tensor can
 * be filled in place; otherwise returns a new array.
 */
export function preprocess(
  image: DecodedImage,
  config: ImageProcessorConfig,
  out?: Float32Array,
  offset = 0,
): Float32Array {
  checkImage(image);
  // A photo stored sideways is resized as stored (resize.ts turns only the result).
  const size = uprightSize(image);
  const rs = resizeOutputSize(size.width, size.height, config);
  const os = preprocessOutputSize(size.width, size.height, config);
  const resizes = rs.width !== size.width || rs.height !== size.height;
  if (!resizes) image = upright(image);
  const plane = os.width * os.height;
  if (!out) out = new Float32Array(3 * plane);
  if (!Number.isInteger(offset) || offset < 0 || out.length < offset + 3 * plane) {
    throw new MumicError(
      'InvalidArgument',
      `preprocess: output holds ${out.length} floats, needs ${offset} + ${3 * plane}`,
    );
  }

  // transformers' center_crop: offset (size - crop) // 2 (floor, so negative when the image is
  // smaller); rows/columns outside the image are the zero padding it adds.
  const top = config.doCenterCrop ? Math.floor((rs.height - os.height) / 2) : 0;
  const left = config.doCenterCrop ? Math.floor((rs.width - os.width) / 2) : 0;
  const y0 = Math.max(0, top);
  const y1 = Math.min(rs.height, top + os.height);
  const x0 = Math.max(0, left);
  const x1 = Math.min(rs.width, left + os.width);
  const region = { left: x0, top: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };

  // Source of the crop: the resized region (computed only where needed) or the image itself.
  const srcC = Math.min(image.channels, 3); // alpha is dropped, never composited
  let data = image.data;
  let stride = image.width * image.channels;
  let step: number = image.channels;
  let base = y0 * stride + x0 * step;
  if (resizes) {
    const r = resize(image, rs.width, rs.height, {
      filter: config.resample,
      channels: srcC,
      region,
      orientation: image.orientation,
    });
    data = r.data;
    stride = r.width * srcC;
    step = srcC;
    base = 0;
  }

  const tables = valueTables(config);
  for (let c = 0; c < 3; c++) {
    const t = tables[c as 0 | 1 | 2];
    const pad = t[0] ?? 0;
    const ch = srcC === 1 ? 0 : c; // grayscale is replicated
    const planeBase = offset + c * plane;
    for (let y = 0; y < os.height; y++) {
      const o = planeBase + y * os.width;
      const sy = y + top;
      if (sy < y0 || sy >= y1) {
        out.fill(pad, o, o + os.width);
        continue;
      }
      const xa = x0 - left; // first output column with image data
      const xb = x1 - left;
      if (xa > 0) out.fill(pad, o, o + xa);
      if (xb < os.width) out.fill(pad, o + xb, o + os.width);
      let p = base + (sy - y0) * stride + ch;
      for (let x = xa; x < xb; x++, p += step) out[o + x] = t[data[p] ?? 0] ?? 0;
    }
  }
  return out;
}
