// The worker entry: the one comlink expose. Results' buffers are transferred, not copied.
import { expose, transfer } from 'comlink';
import type { WorkerApi } from '../shared/worker-api.ts';
import { ClipService } from './clip-service.ts';

const service = new ClipService();

const api: WorkerApi = {
  loadModel: (request, onProgress) => service.loadModel(request, onProgress),
  status: () => service.status(),
  async embedImages(files) {
    const outcomes = await service.embedImages(files);
    const buffers = outcomes.flatMap((o) =>
      'embedding' in o ? [o.embedding.buffer as ArrayBuffer] : [],
    );
    return transfer(outcomes, buffers);
  },
  async embedTexts(texts) {
    const result = await service.embedTexts(texts);
    return transfer(result, [result.embeddings.buffer as ArrayBuffer]);
  },
};

expose(api);
