/**
 * SigLIP (Zhai et al. 2023): trained with one sigmoid per image-text pair, MuMIC's own idea, so the
 * model brings its scoring calibration (logit_scale, logit_bias). Towers output `pooler_output`
 * (no projection), the text tower pools at the last position and takes `input_ids` only.
 */
import { MumicError } from '../errors.ts';
import { MODEL_NOTES_FILE } from '../model-notes.ts';
import { readScalarInitializers } from '../onnx-initializers.ts';
import { calibrationFromLogits, sizeAt, subConfig, type ModelFamily } from './family.ts';

/** Python's string.punctuation. */
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/**
 * SiglipTokenizer's lower-casing (`do_lower_case`) and `canonicalize_text`: punctuation removed,
 * whitespace collapsed and trimmed. Done in code by transformers; converted tokenizer.json files
 * do not, so "Bathroom!" and "bathroom" must meet here.
 */
export function canonicalizeSiglipText(text: string): string {
  return text.toLowerCase().replace(PUNCTUATION, '').replace(/\s+/g, ' ').trim();
}

/** Combined graphs that carry logit_scale and logit_bias; the smallest likely first. */
const COMBINED = [
  'onnx/model_quantized.onnx',
  'onnx/model_q4.onnx',
  'onnx/model_fp16.onnx',
  'onnx/model.onnx',
];

export const SIGLIP: ModelFamily = {
  id: 'siglip',
  name: 'SigLIP',
  modelTypes: ['siglip'],
  imageProcessorType: 'SiglipImageProcessor',
  tokenizer: {
    classes: ['SiglipTokenizer', 'SiglipTokenizerFast'],
    defaults: { eos_token: '</s>', pad_token: '</s>' },
    addBos: false,
    clean: canonicalizeSiglipText,
  },
  attentionMask: false,
  towers: {
    vision: { input: 'pixel_values', output: 'pooler_output' },
    text: { input: 'input_ids', output: 'pooler_output' },
  },
  readSizes(json, invalid) {
    // SiglipVisionConfig / SiglipTextConfig class defaults, for keys a config.json omits.
    const vision = subConfig(json, 'vision_config', invalid);
    const text = subConfig(json, 'text_config', invalid);
    const imageDim = sizeAt(vision, 'hidden_size', 'vision_config.hidden_size', 768, invalid);
    const textHidden = sizeAt(text, 'hidden_size', 'text_config.hidden_size', 768, invalid);
    const textDim = sizeAt(
      text,
      'projection_size',
      'text_config.projection_size',
      textHidden,
      invalid,
    );
    if (textDim !== imageDim) {
      throw invalid(
        `the text tower's output size (${textDim}) differs from the vision tower's (${imageDim})`,
      );
    }
    return {
      projectionDim: imageDim,
      imageSize: sizeAt(vision, 'image_size', 'vision_config.image_size', 224, invalid),
      contextLength: sizeAt(
        text,
        'max_position_embeddings',
        'text_config.max_position_embeddings',
        64,
        invalid,
      ),
    };
  },
  async calibrate(folder, invalid) {
    for (const file of COMBINED) {
      if (!(await folder.exists(file))) continue;
      let values: Map<string, number>;
      try {
        values = readScalarInitializers(await folder.read(file), ['logit_scale', 'logit_bias']);
      } catch (cause) {
        if (cause instanceof MumicError) throw cause;
        throw invalid(
          file,
          `not a readable ONNX graph (${cause instanceof Error ? cause.message : String(cause)})`,
        );
      }
      const scale = values.get('logit_scale');
      const bias = values.get('logit_bias');
      if (scale === undefined || bias === undefined) {
        throw invalid(file, 'has no logit_scale and logit_bias initializers');
      }
      return calibrationFromLogits(scale, bias, `${file} initializers logit_scale, logit_bias`);
    }
    throw new MumicError(
      'ModelFileMissing',
      `a SigLIP model scores with its own logit_scale and logit_bias, which the split towers lack: add the combined graph onnx/model.onnx, or a ${MODEL_NOTES_FILE} with its calibration (npm run models writes one)`,
    );
  },
};
