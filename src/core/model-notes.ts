/**
 * `mumic-model.json`: what a model's catalogue entry knows that its Hugging Face files do not,
 * written beside them by `npm run models`: the scoring calibration of a SigLIP model (the split
 * towers lack logit_scale and logit_bias) and, per backend and tower, the dtypes worth loading
 * (public reports say some int8 exports are numerically broken). Optional for any folder.
 */
import { MumicError } from './errors.ts';
import { isRecord } from './families/family.ts';
import { DTYPES, type Dtype, type Tower } from './types.ts';

export const MODEL_NOTES_FILE = 'mumic-model.json';

/** Preference order per tower, best first; dtypes not listed are not picked automatically. */
export type DtypeOrder = Partial<Record<Tower, Dtype[]>>;

export interface ModelNotes {
  /** Raw logit_scale (before exp) and logit_bias, and where these numbers came from. */
  calibration?: { logitScale: number; logitBias: number; source: string };
  /** 'cpu' is WASM and Node; 'webgpu' the GPU. */
  dtypes?: Partial<Record<'cpu' | 'webgpu', DtypeOrder>>;
  /** One line on what the model is for, shown in lists. */
  purpose?: string;
}

export function parseModelNotes(json: unknown, file = MODEL_NOTES_FILE): ModelNotes {
  const bad = (what: string): MumicError => new MumicError('ModelFileInvalid', `${file}: ${what}`);
  if (!isRecord(json)) throw bad('expected a JSON object');
  const notes: ModelNotes = {};
  const cal = json['calibration'];
  if (cal !== undefined) {
    const scale = isRecord(cal) ? cal['logit_scale'] : undefined;
    const bias = isRecord(cal) ? cal['logit_bias'] : undefined;
    const source = isRecord(cal) ? cal['source'] : undefined;
    if (!Number.isFinite(scale) || !Number.isFinite(bias) || typeof source !== 'string') {
      throw bad('calibration needs numbers logit_scale (raw, before exp), logit_bias and a source');
    }
    notes.calibration = { logitScale: scale as number, logitBias: bias as number, source };
  }
  const dtypes = json['dtypes'];
  if (dtypes !== undefined) {
    if (!isRecord(dtypes)) throw bad('dtypes must be an object');
    notes.dtypes = {};
    for (const backend of ['cpu', 'webgpu'] as const) {
      const towers = dtypes[backend];
      if (towers === undefined) continue;
      if (!isRecord(towers)) throw bad(`dtypes.${backend} must be an object`);
      const order: DtypeOrder = {};
      for (const tower of ['vision', 'text'] as const) {
        const list = towers[tower];
        if (list === undefined) continue;
        if (
          !Array.isArray(list) ||
          !list.every((d) => (DTYPES as readonly unknown[]).includes(d))
        ) {
          throw bad(`dtypes.${backend}.${tower} must list dtypes of ${DTYPES.join(', ')}`);
        }
        order[tower] = list as Dtype[];
      }
      notes.dtypes[backend] = order;
    }
  }
  if (typeof json['purpose'] === 'string') notes.purpose = json['purpose'];
  return notes;
}
