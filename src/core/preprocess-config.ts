import { MumicError } from './errors.ts';
import { RESAMPLE, isSupportedResample } from './resize.ts';

/** The image processor settings of a Hugging Face model folder, validated and camel-cased. */
export interface ImageProcessorConfig {
  /**
   * Resize so the shorter side is this, the longer side `int(shortestEdge * long / short)`
   * (HF `size.shortest_edge`). When `resizeTo` is set this is `min(height, width)` of it and
   * only informative.
   */
  shortestEdge: number;
  /** Resize to exactly this size instead (HF `size: {height, width}`), or null. */
  resizeTo: { height: number; width: number } | null;
  cropHeight: number;
  cropWidth: number;
  doResize: boolean;
  doCenterCrop: boolean;
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  mean: [number, number, number];
  std: [number, number, number];
  /** Pillow filter number: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming. */
  resample: number;
  doConvertRgb: boolean;
}

const OPENAI_CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const OPENAI_CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];
const IMAGENET_STANDARD: [number, number, number] = [0.5, 0.5, 0.5];

/** An image processor class's own defaults (its `__init__`), used for absent fields as transformers does. */
interface ProcessorDefaults {
  size: { shortest_edge: number } | { height: number; width: number };
  /** null: the class has no center crop at all (a `do_center_crop` in the file is ignored). */
  crop: { height: number; width: number } | null;
  resample: number;
  mean: [number, number, number];
  std: [number, number, number];
}

export const PROCESSOR_DEFAULTS: Readonly<Record<string, ProcessorDefaults>> = {
  CLIPImageProcessor: {
    size: { shortest_edge: 224 },
    crop: { height: 224, width: 224 },
    resample: RESAMPLE.BICUBIC,
    mean: OPENAI_CLIP_MEAN,
    std: OPENAI_CLIP_STD,
  },
  // Squashes to a fixed size: no crop, aspect ratio not kept.
  SiglipImageProcessor: {
    size: { height: 224, width: 224 },
    crop: null,
    resample: RESAMPLE.BICUBIC,
    mean: IMAGENET_STANDARD,
    std: IMAGENET_STANDARD,
  },
  ViTImageProcessor: {
    size: { height: 224, width: 224 },
    crop: null,
    resample: RESAMPLE.BILINEAR,
    mean: IMAGENET_STANDARD,
    std: IMAGENET_STANDARD,
  },
};

/** Older exports name the feature extractor, which has the same semantics. */
const ALIASES: Readonly<Record<string, string>> = {
  CLIPFeatureExtractor: 'CLIPImageProcessor',
  SiglipFeatureExtractor: 'SiglipImageProcessor',
  ViTFeatureExtractor: 'ViTImageProcessor',
};

/** The processor class a config names, else `fallback` (the model family's). */
export function imageProcessorType(json: Record<string, unknown>, fallback: string): string {
  for (const key of ['image_processor_type', 'feature_extractor_type']) {
    const v = json[key];
    if (typeof v !== 'string') continue;
    const type = ALIASES[v] ?? v;
    if (Object.hasOwn(PROCESSOR_DEFAULTS, type)) return type;
  }
  return Object.hasOwn(PROCESSOR_DEFAULTS, fallback) ? fallback : 'CLIPImageProcessor';
}

const RESAMPLE_NAMES = '0 (nearest), 1 (lanczos), 2 (bilinear), 3 (bicubic), 4 (box), 5 (hamming)';

/** The largest side we accept in a config: guards against absurd allocations. */
const MAX_SIDE = 8192;

/**
 * Reads preprocessor_config.json with the defaults of the processor class it names
 * (`image_processor_type`), or of `fallbackType` (the model family's) when it names none.
 */
export function parseImageProcessorConfig(
  json: unknown,
  file = 'preprocessor_config.json',
  fallbackType = 'CLIPImageProcessor',
): ImageProcessorConfig {
  const bad = (field: string, why: string): MumicError =>
    new MumicError('ModelFileInvalid', `${file}: "${field}" ${why}`);

  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MumicError('ModelFileInvalid', `${file}: expected a JSON object`);
  }
  const o = json as Record<string, unknown>;
  const type = imageProcessorType(o, fallbackType);
  const defaults = PROCESSOR_DEFAULTS[type] as ProcessorDefaults;

  const bool = (field: string, dflt: boolean): boolean => {
    const v = o[field];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') throw bad(field, 'must be true or false');
    return v;
  };
  const side = (field: string, v: unknown): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_SIDE) {
      throw bad(field, `must be an integer from 1 to ${MAX_SIDE}`);
    }
    return v;
  };
  const triple = (field: string, dflt: [number, number, number], positive: boolean) => {
    const v = o[field];
    if (v === undefined || v === null) return dflt;
    // HF accepts one number for all channels.
    const arr = typeof v === 'number' ? [v, v, v] : v;
    if (
      !Array.isArray(arr) ||
      arr.length !== 3 ||
      !arr.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))
    ) {
      throw bad(field, `must be 3 ${positive ? 'positive ' : ''}numbers`);
    }
    return arr as [number, number, number];
  };

  const doResize = bool('do_resize', true);
  const doCenterCrop = defaults.crop !== null && bool('do_center_crop', true);
  const doRescale = bool('do_rescale', true);
  const doNormalize = bool('do_normalize', true);
  const doConvertRgb = bool('do_convert_rgb', true);

  // size: {shortest_edge}, a number (= shortest edge, HF's default_to_square=False, for CLIP; a
  // square for processors that only squash), or {height, width}.
  let resizeTo: ImageProcessorConfig['resizeTo'] =
    'shortest_edge' in defaults.size ? null : { ...defaults.size };
  let shortestEdge = resizeTo
    ? Math.min(resizeTo.height, resizeTo.width)
    : (defaults.size as { shortest_edge: number }).shortest_edge;
  const size = o['size'];
  if (typeof size === 'number' && defaults.crop === null) {
    resizeTo = { height: side('size', size), width: side('size', size) };
    shortestEdge = resizeTo.height;
  } else if (typeof size === 'number') {
    shortestEdge = side('size', size);
  } else if (typeof size === 'object' && size !== null && !Array.isArray(size)) {
    const s = size as Record<string, unknown>;
    if (s['shortest_edge'] !== undefined) {
      shortestEdge = side('size.shortest_edge', s['shortest_edge']);
      resizeTo = null;
    } else if (s['height'] !== undefined && s['width'] !== undefined) {
      resizeTo = {
        height: side('size.height', s['height']),
        width: side('size.width', s['width']),
      };
      shortestEdge = Math.min(resizeTo.height, resizeTo.width);
    } else {
      throw bad('size', 'must have "shortest_edge" or "height" and "width"');
    }
  } else if (Array.isArray(size) && size.length === 2) {
    // A (height, width) pair, as get_size_dict reads it.
    resizeTo = { height: side('size[0]', size[0]), width: side('size[1]', size[1]) };
    shortestEdge = Math.min(resizeTo.height, resizeTo.width);
  } else if (size !== undefined && size !== null) {
    throw bad('size', 'must be a number or an object');
  }

  // crop_size: a number (square) or {height, width}; ignored by processors without a crop.
  let cropHeight = defaults.crop?.height ?? 224;
  let cropWidth = defaults.crop?.width ?? 224;
  const crop = doCenterCrop ? o['crop_size'] : undefined;
  if (typeof crop === 'number') {
    cropHeight = cropWidth = side('crop_size', crop);
  } else if (typeof crop === 'object' && crop !== null && !Array.isArray(crop)) {
    const c = crop as Record<string, unknown>;
    cropHeight = side('crop_size.height', c['height']);
    cropWidth = side('crop_size.width', c['width']);
  } else if (crop !== undefined && crop !== null) {
    throw bad('crop_size', 'must be a number or {height, width}');
  }

  // Without a crop the resize fixes the output size; say so in the crop fields too.
  if (!doCenterCrop && resizeTo) [cropHeight, cropWidth] = [resizeTo.height, resizeTo.width];

  const rf = o['rescale_factor'];
  let rescaleFactor = 1 / 255;
  if (rf !== undefined && rf !== null) {
    if (typeof rf !== 'number' || !Number.isFinite(rf) || rf <= 0) {
      throw bad('rescale_factor', 'must be a positive number');
    }
    rescaleFactor = rf;
  }

  const rs = o['resample'];
  let resample: number = defaults.resample;
  if (rs !== undefined && rs !== null) {
    if (typeof rs !== 'number' || !isSupportedResample(rs)) {
      throw bad('resample', `is ${JSON.stringify(rs)}; supported: ${RESAMPLE_NAMES}`);
    }
    resample = rs;
  }

  return {
    shortestEdge,
    resizeTo,
    cropHeight,
    cropWidth,
    doResize,
    doCenterCrop,
    doRescale,
    rescaleFactor,
    doNormalize,
    mean: triple('image_mean', defaults.mean, false),
    std: triple('image_std', defaults.std, true),
    resample,
    doConvertRgb,
  };
}
