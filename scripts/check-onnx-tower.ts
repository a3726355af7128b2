// Checks that an ONNX file is the tower the app will feed: the names it declares are the names
// the runtime (src/runtime/clip-encoder.ts) feeds and reads.
import * as ort from 'onnxruntime-node';
import { MumicError } from '../src/core/errors.ts';
import { familyById, type FamilyId } from '../src/core/families/index.ts';
import type { Tower } from '../src/core/types.ts';
import { readGraphIo, type GraphIo } from './onnx-graph-io.ts';

/** What the runtime feeds and reads for this family's tower (core/families). */
function expected(family: FamilyId, tower: Tower) {
  const f = familyById(family);
  const io = f.towers[tower];
  // attention_mask is fed when the graph has it; CLIP exports that pool at the first eos drop it.
  const optional = tower === 'text' && f.attentionMask ? ['attention_mask'] : [];
  return { name: f.name, inputs: [io.input], optional, output: io.output };
}

/** A missing kernel on the CPU build, not a broken file (fp16 graphs meant for WebGPU). */
const NO_CPU_KERNEL = /NOT_IMPLEMENTED|Could not find an implementation/i;

/** `label` names the file in errors, e.g. `onnx/text_model.onnx in /models/x`. */
export async function checkOnnxTower(
  file: string,
  tower: Tower,
  label: string,
  family: FamilyId = 'clip',
): Promise<void> {
  const io = await readInterface(file, label);
  const want = expected(family, tower);
  const missing = want.inputs.filter((n) => !io.inputs.includes(n));
  const extra = io.inputs.filter((n) => !want.inputs.includes(n) && !want.optional.includes(n));
  if (missing.length > 0 || extra.length > 0 || !io.outputs.includes(want.output)) {
    const accepted = [...want.inputs, ...want.optional.map((n) => `optional ${n}`)].join(', ');
    throw new MumicError(
      'ModelFileInvalid',
      `${label} is not a ${want.name} ${tower} tower: expected inputs ${accepted} and output ${want.output}, found inputs [${io.inputs.join(', ')}] and outputs [${io.outputs.join(', ')}]`,
    );
  }
}

async function readInterface(file: string, label: string): Promise<GraphIo> {
  let session: ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(file, {
      executionProviders: ['cpu'],
      // Only the interface is wanted: skip the optimiser's work on large graphs.
      graphOptimizationLevel: 'disabled',
      intraOpNumThreads: 1,
    });
    return { inputs: [...session.inputNames], outputs: [...session.outputNames] };
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    if (NO_CPU_KERNEL.test(why)) {
      try {
        return await readGraphIo(file);
      } catch {
        // Fall through: report onnxruntime's reason, the more useful one.
      }
    }
    throw new MumicError(
      'ModelFileInvalid',
      `${label} is not a loadable ONNX model: ${why.split('\n')[0] ?? why}`,
      { cause },
    );
  } finally {
    await session?.release();
  }
}
