// What another tab of the app changed in the one store (issue 10, item 6), taken into this
// worker's memory: photos it added (records and stored embeddings, never encoded again), photos
// it removed, its adapted head, and a Clear all (this worker's calls in flight stop first, so none
// of them writes after it; the store's epoch refuses any that tries).
import { imageEmbeddingKey } from '../../core/cache-keys.ts';
import type { PhotoRecord, ScoreTable, WorkerApi } from '../../shared/worker-api.ts';
import type { MumicStore } from '../../store/types.ts';
import type { LabelBank } from '../label-bank.ts';
import type { ModelHost } from '../models/model-host.ts';
import { loadHead, type PhotoLibrary } from './library.ts';

type TabMethods = 'photosChangedElsewhere' | 'headChangedElsewhere';

export class TabChanges implements Pick<WorkerApi, TabMethods> {
  constructor(
    private readonly store: MumicStore,
    private readonly models: ModelHost,
    private readonly bank: LabelBank,
    private readonly library: PhotoLibrary,
  ) {}

  async photosChangedElsewhere(
    added: string[],
    removed: string[],
  ): Promise<{ photos: PhotoRecord[]; table: ScoreTable }> {
    const library = await this.library.current();
    const { records, embeddings, byHash } = library;
    const hashes = new Set<string>();
    for (const id of removed) {
      const hash = records.get(id)?.hash;
      if (hash !== undefined) hashes.add(hash);
      records.delete(id);
      embeddings.delete(id);
    }
    // A vector stays while another photo of this library has the same picture.
    if (hashes.size > 0) for (const r of records.values()) if (r.hash) hashes.delete(r.hash);
    for (const h of hashes) byHash.delete(h);
    const stored = await this.store.getPhotos(
      library.scope,
      added.filter((id) => !records.has(id)),
    );
    const [, , model, dtype] = library.scope;
    const dim = this.models.require().info.projectionDim;
    const toRead = stored.filter((p) => p.hash !== undefined && !byHash.has(p.hash) && !p.error);
    const vectors = await this.store.getImageEmbeddings(
      toRead.map((p) => imageEmbeddingKey(model, dtype, p.hash as string)),
    );
    toRead.forEach((p, i) => {
      const v = vectors[i];
      if (v instanceof Float32Array && v.length === dim) {
        byHash.set(p.hash as string, { embedding: v, thumbnail: p.thumbnail });
      }
    });
    const photos: PhotoRecord[] = [];
    for (const p of stored) {
      const embedding = p.hash === undefined ? undefined : byHash.get(p.hash)?.embedding;
      if (!p.error && !embedding) continue;
      records.set(p.id, p);
      if (embedding) embeddings.set(p.id, embedding);
      library.nextSeq = Math.max(library.nextSeq, p.seq + 1);
      photos.push(p);
    }
    const scored = photos.filter((p) => embeddings.has(p.id)).map((p) => p.id);
    return {
      photos,
      table: this.bank.score(
        scored,
        scored.map((id) => embeddings.get(id) as Float32Array),
      ),
    };
  }

  /** The head another tab trained, imported or cleared: read again, every photo rescored. */
  async headChangedElsewhere(): Promise<ScoreTable> {
    const library = await this.library.current();
    library.head = await loadHead(
      this.store,
      library.scope,
      this.models.require().info.projectionDim,
    );
    this.bank.setHead(library.head?.head);
    return this.library.score(library);
  }
}
