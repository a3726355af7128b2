// The nested prepare worker: decodes and preprocesses batches for the CLIP worker while it runs
// inference (src/worker/prepare-thread.ts), and, once asked to load a copy of the vision tower
// (prepare-embedder.ts), embeds them too. Pixels and embeddings are transferred, not copied.
import { HeldCopy } from '../core/held-copy.ts';
import { warmJpegWasm } from './jpeg-wasm.ts';
import { warmWebpWasm } from './webp-wasm.ts';
import { loadEmbedder, type PrepareEmbedder } from './prepare-embedder.ts';
import {
  prepareTimed,
  type EmbedderRequest,
  type PrepareReply,
  type PrepareRequest,
} from './prepare-protocol.ts';

const reply = (message: PrepareReply, transfer: Transferable[] = []): void =>
  self.postMessage(message, { transfer });

/**
 * Content hashes the CLIP worker already holds: files with them are hashed, not decoded. Kept
 * here and changed by the differences the CLIP worker sends (a library of 10,000 photos is not
 * sent again with every call).
 */
const known = new Set<string>();
/** Its copy of the vision tower, when the CLIP worker asked for one. */
const embedder = new HeldCopy<PrepareEmbedder>();

async function prepare(request: PrepareRequest): Promise<void> {
  for (const hash of request.knownRemoved ?? []) known.delete(hash);
  for (const hash of request.knownAdded ?? []) known.add(hash);
  try {
    const batch = await prepareTimed(request, 'mumic:prepare', known);
    const transfer: Transferable[] = [batch.pixels.buffer as ArrayBuffer];
    const rows = batch.indices.length;
    const run =
      request.embed && rows > 0
        ? embedder.run(async (copy) => ({ copy, vectors: await copy.embed(batch.pixels, rows) }))
        : undefined;
    if (run) {
      const started = performance.now();
      try {
        const { copy, vectors } = await run;
        markEmbedded(started);
        batch.embeddings = vectors;
        batch.embeddedWith = copy.dtype;
        batch.embeddedBy = copy.generation;
        transfer.push(vectors.buffer as ArrayBuffer);
      } catch (error) {
        // The pixels still go: the CLIP worker runs them on its own model.
        console.warn(`prepare worker: its vision tower failed (${String(error)})`);
      }
    }
    reply({ type: 'prepared', id: request.id, batch }, transfer);
  } catch (error) {
    reply({ type: 'failed', id: request.id, message: String(error) });
  }
}

/** Its run shown in a Chromium trace beside the preparation (this worker's tasks are not). */
function markEmbedded(started: number): void {
  try {
    performance.measure('mumic:embed-beside', { start: started });
    performance.clearMeasures('mumic:embed-beside');
  } catch {
    // Only a trace's mark: never a reason to drop the vectors.
  }
}

self.onmessage = ({ data }: MessageEvent<PrepareRequest | EmbedderRequest>) => {
  if (data.type === 'prepare') {
    void prepare(data);
    return;
  }
  void swapEmbedder(data);
};

/** Releases the copy of the vision tower held, then loads the one asked for (if any). */
async function swapEmbedder({ model, generation }: EmbedderRequest): Promise<void> {
  try {
    const loaded = await embedder.swap(model && (() => loadEmbedder(model, generation)));
    if (loaded) reply({ type: 'embedder', generation, dtype: loaded.dtype });
  } catch (error) {
    reply({ type: 'embedder-failed', generation, message: String(error) });
  }
}

// Ready once its decoder is compiled: it is started beside the model's load, before any photo.
// A decoder that cannot start would decode otherwise than the CLIP worker's (not PIL's pixels):
// the pool then prepares there instead.
// The thumbnail encoder is not waited for: until it has started the canvas encodes.
void warmWebpWasm();
void warmJpegWasm().then((ok) =>
  reply(ok ? { type: 'ready' } : { type: 'unusable', message: 'the JPEG decoder did not start' }),
);
