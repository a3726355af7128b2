// The nested prepare worker: decodes and preprocesses batches for the CLIP worker while it runs
// inference (src/worker/prepare-thread.ts). Pixels are transferred, not copied.
import { warmJpegWasm } from './jpeg-wasm.ts';
import { prepareTimed, type PrepareReply, type PrepareRequest } from './prepare-protocol.ts';

const reply = (message: PrepareReply, transfer: Transferable[] = []): void =>
  self.postMessage(message, { transfer });

/**
 * Content hashes the CLIP worker already holds: files with them are hashed, not decoded. Kept
 * here and changed by the differences the CLIP worker sends (a library of 10,000 photos is not
 * sent again with every call).
 */
const known = new Set<string>();

self.onmessage = async ({ data: request }: MessageEvent<PrepareRequest>) => {
  for (const hash of request.knownRemoved ?? []) known.delete(hash);
  for (const hash of request.knownAdded ?? []) known.add(hash);
  try {
    const batch = await prepareTimed(request, 'mumic:prepare', known);
    reply({ type: 'prepared', id: request.id, batch }, [batch.pixels.buffer as ArrayBuffer]);
  } catch (error) {
    reply({ type: 'failed', id: request.id, message: String(error) });
  }
};

// Ready once its decoder is compiled: it is started beside the model's load, before any photo.
// A decoder that cannot start would decode otherwise than the CLIP worker's (not PIL's pixels):
// the pool then prepares there instead.
void warmJpegWasm().then((ok) =>
  reply(ok ? { type: 'ready' } : { type: 'unusable', message: 'the JPEG decoder did not start' }),
);
