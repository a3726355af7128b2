// The nested prepare worker: decodes and preprocesses batches for the CLIP worker while it runs
// inference (src/worker/prepare-thread.ts). Pixels are transferred, not copied.
import { warmJpegWasm } from './jpeg-wasm.ts';
import { prepareTimed, type PrepareReply, type PrepareRequest } from './prepare-protocol.ts';

const reply = (message: PrepareReply, transfer: Transferable[] = []): void =>
  self.postMessage(message, { transfer });

/** Content hashes the CLIP worker already holds: files with them are hashed, not decoded. */
let known: ReadonlySet<string> = new Set();

self.onmessage = async ({ data: request }: MessageEvent<PrepareRequest>) => {
  if (request.known) known = new Set(request.known);
  try {
    const batch = await prepareTimed(request, 'mumic:prepare', known);
    reply({ type: 'prepared', id: request.id, batch }, [batch.pixels.buffer as ArrayBuffer]);
  } catch (error) {
    reply({ type: 'failed', id: request.id, message: String(error) });
  }
};

// Ready once its decoder is compiled: it is started beside the model's load, before any photo.
void warmJpegWasm().then(() => reply({ type: 'ready' }));
