/** CLIP (OpenAI's and its exports, MobileCLIP's Hugging Face exports): the first family. */
import { decodeHTML } from 'entities';
import { DEFAULT_BIAS, DEFAULT_TEMPERATURE } from '../score.ts';
import { sizeAt, subConfig, type ModelFamily } from './family.ts';

/**
 * The original CLIP tokenizer's basic_clean: ftfy (here NFC, as the reference does) then
 * html.unescape twice, so "&amp;" in a label means "&". tokenizer.json's normalizer has no such
 * step; `entities` decodes like Python's html.unescape (HTML5 table, legacy names without ";").
 */
export function cleanText(text: string): string {
  return decodeHTML(decodeHTML(text.normalize('NFC')));
}

/**
 * transformers' CLIPConfig / CLIPVisionConfig / CLIPTextConfig class defaults. Hugging Face
 * writes config.json as a diff against these (`use_diff`), so a real CLIP config may omit a key
 * that still has this value; transformers itself reads the omission as the default, and so do we.
 * They apply only to `model_type: "clip"`: a folder of unknown type must state its sizes.
 */
const CONFIG_DEFAULTS = {
  projection_dim: 512,
  'vision_config.image_size': 224,
  'text_config.max_position_embeddings': 77,
} as const;

export const CLIP: ModelFamily = {
  id: 'clip',
  name: 'CLIP',
  modelTypes: ['clip'],
  imageProcessorType: 'CLIPImageProcessor',
  tokenizer: {
    classes: ['CLIPTokenizer', 'CLIPTokenizerFast'],
    // Original CLIP pads with 0, HF with eos; the text tower pools at the first eos, so the pad
    // id never changes an embedding, but the HF default keeps ids equal to the reference.
    defaults: {
      bos_token: '<|startoftext|>',
      eos_token: '<|endoftext|>',
      pad_token: '<|endoftext|>',
    },
    addBos: true,
    clean: cleanText,
  },
  attentionMask: true,
  towers: {
    vision: { input: 'pixel_values', output: 'image_embeds' },
    text: { input: 'input_ids', output: 'text_embeds' },
  },
  readSizes(json, invalid) {
    const known = json['model_type'] === 'clip';
    const size = (
      obj: Record<string, unknown>,
      key: string,
      path: keyof typeof CONFIG_DEFAULTS,
    ) => {
      const v = obj[key];
      if ((v === undefined || v === null) && !known) {
        throw invalid(
          `missing ${path} (model_type ${JSON.stringify(json['model_type'] ?? null)} has no standard default; only "clip" and "siglip" do)`,
        );
      }
      return sizeAt(obj, key, path, CONFIG_DEFAULTS[path], invalid);
    };
    return {
      projectionDim: size(json, 'projection_dim', 'projection_dim'),
      imageSize: size(
        subConfig(json, 'vision_config', invalid),
        'image_size',
        'vision_config.image_size',
      ),
      contextLength: size(
        subConfig(json, 'text_config', invalid),
        'max_position_embeddings',
        'text_config.max_position_embeddings',
      ),
    };
  },
  calibrate: () =>
    Promise.resolve({
      temperature: DEFAULT_TEMPERATURE,
      bias: DEFAULT_BIAS,
      source:
        'mumic-web default for CLIP (t = 0.01 from CLIP logit scale 100, b = 0.25; docs/SCORING.md)',
    }),
};
