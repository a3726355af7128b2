// The nested prepare worker: decodes and preprocesses batches for the CLIP worker while it runs
// inference (src/worker/prepare-thread.ts). Pixels are transferred, not copied.
import { prepareTimed, type PrepareReply, type PrepareRequest } from './prepare-protocol.ts';

const reply = (message: PrepareReply, transfer: Transferable[] = []): void =>
  self.postMessage(message, { transfer });

self.onmessage = async ({ data: request }: MessageEvent<PrepareRequest>) => {
  try {
    const batch = await prepareTimed(request, 'mumic:prepare');
    reply({ type: 'prepared', id: request.id, batch }, [batch.pixels.buffer as ArrayBuffer]);
  } catch (error) {
    reply({ type: 'failed', id: request.id, message: String(error) });
  }
};

reply({ type: 'ready' });
