// The benchmark model: a ViT-B/32-sized CLIP with random weights, made by
// ../shared/tools/make-clip-fixture.py (needs Debian's python3-torch, -onnx, -numpy, -pil), its q8
// text tower's token table then quantised as in the real model (quantize-token-embedding.py).
// It is a speed/memory stand-in, never a product model. Kept in bench/models/ (git-ignored).
import { execSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const here = import.meta.dirname;
export const BENCH_MODEL = resolve(here, 'models', 'clip-b32-random');
const shared = resolve(here, '..', '..', 'shared');

export function ensureBenchModel(): string {
  if (existsSync(join(BENCH_MODEL, 'onnx', 'vision_model_quantized.onnx'))) {
    quantizeTokenEmbedding(); // a model made before this step existed
    return BENCH_MODEL;
  }
  const py = '/usr/bin/python3';
  const probe = `${py} -c "import torch, onnx, numpy, PIL"`;
  try {
    execSync(probe, { stdio: 'ignore' });
  } catch {
    console.log('Installing python3-torch python3-onnx python3-numpy python3-pil (Debian)…');
    execSync(
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-onnx python3-numpy python3-pil',
      { stdio: 'inherit' },
    );
  }
  console.log('Making the ViT-B/32-sized random CLIP (about a minute)…');
  execSync(`${py} ${join(shared, 'tools', 'make-clip-fixture.py')} ${BENCH_MODEL} b32 1 public`, {
    stdio: 'inherit',
  });
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
    copyFileSync(join(shared, 'fixtures', 'clip-tiny', f), join(BENCH_MODEL, f));
  }
  quantizeTokenEmbedding();
  return BENCH_MODEL;
}

/**
 * The q8 text tower's token table in uint8, as in the real model's q8 file (64 MB, not 140:
 * bench/quantize-token-embedding.py). Its precomputed label vectors are made again.
 */
function quantizeTokenEmbedding(): void {
  const text = join(BENCH_MODEL, 'onnx', 'text_model_quantized.onnx');
  if (statSync(text).size < 100e6) return;
  console.log('Quantising the q8 text tower’s token table (as quantize_dynamic does)…');
  execSync(`/usr/bin/python3 ${join(here, 'quantize-token-embedding.py')} ${text}`, {
    stdio: 'inherit',
  });
  rmSync(join(BENCH_MODEL, 'label-embeddings.q8.json'), { force: true });
}

/**
 * The bench model's precomputed default label vectors for its q8 text tower (as
 * `npm run models` writes them for an installed model), so that classify reads them.
 */
export async function ensureBenchLabelFile(): Promise<void> {
  const { labelEmbeddingFileName } = await import('../src/core/label-embedding-file.ts');
  if (existsSync(join(BENCH_MODEL, labelEmbeddingFileName('q8')))) return;
  const { precomputeLabelEmbeddings } = await import('../scripts/precompute-labels.ts');
  console.log('Precomputing the default label vectors of the bench model…');
  await precomputeLabelEmbeddings(BENCH_MODEL, 'clip-b32-random');
}
