// The stored library shown before the model is ready (issue 11: a reload shows 10,000 photos in
// under 3 s). Opening the model's sessions compiles onnxruntime's WebAssembly and keeps the worker
// thread busy for seconds; the photo records and thumbnails need none of it. So the page reads
// them itself, read-only, from the same IndexedDB (a database it may not create or upgrade),
// under the scope the worker last restored (remembered in a setting). The worker's restore then
// takes these tiles over: it marks the ones it knows, and those it does not are dropped.
import { photoScope, type PhotoScope } from '../../core/cache-keys.ts';
import { DTYPES, type Dtype } from '../../core/types.ts';
import type { PhotoRecord } from '../../shared/worker-api.ts';

/** What the preview reads of the store (ui/bridge.ts gives the IndexedDB one). */
export type PreviewSource = {
  getSetting(key: string): Promise<unknown>;
  listPhotos(scope: PhotoScope): Promise<PhotoRecord[]>;
  getThumbnails(scope: PhotoScope, ids: readonly string[]): Promise<(Blob | undefined)[]>;
};

/** The setting holding [model id, vision dtype] of the last restore. */
export const LIBRARY_SCOPE_KEY = 'library-scope';

/** Records per task when the preview is drawn (a screenful first). */
const FIRST = 200;
const CHUNK = 1000;

export class LibraryPreview {
  /** The scope read, while the preview serves thumbnails (until the worker's restore is in). */
  private scope: PhotoScope | undefined;
  /** The setting as read (written again only when the scope changes). */
  private saved: unknown;
  /** Bumped by stop and end: a read of an earlier generation shows nothing more. */
  private generation = 0;
  /** Ids shown by the preview and not yet taken over by the worker's restore (see claim). */
  readonly shown = new Set<string>();

  constructor(private readonly store: PreviewSource) {}

  /**
   * The stored records of the scope last restored for `modelId`, handed to `show` a chunk per
   * task until stop or end; nothing when no scope is remembered for that model (or the store
   * cannot be read).
   */
  async read(modelId: string, show: (records: PhotoRecord[]) => void): Promise<void> {
    const generation = ++this.generation;
    this.scope = undefined;
    const saved = (this.saved = await this.store.getSetting(LIBRARY_SCOPE_KEY));
    if (!Array.isArray(saved) || saved[0] !== modelId) return;
    const dtype = saved[1] as Dtype;
    if (!DTYPES.includes(dtype)) return;
    const scope = photoScope(modelId, dtype);
    const records = await this.store.listPhotos(scope);
    if (generation !== this.generation) return;
    this.scope = scope;
    for (let at = 0, size = FIRST; at < records.length; at += size) {
      if (at > 0) {
        size = CHUNK;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      // The worker's restore began, or the library was cleared: it shows what there is.
      if (generation !== this.generation) return;
      const chunk = records.slice(at, at + size);
      for (const r of chunk) this.shown.add(r.id);
      show(chunk);
    }
  }

  /** True for a tile the preview drew that the worker does not hold yet (it cannot act on it). */
  isPreviewOnly(id: string | undefined): boolean {
    return id !== undefined && this.shown.has(id);
  }

  /** No more chunks (the worker's restore began); thumbnails are still served until end. */
  stop(): void {
    this.generation++;
  }

  /** Thumbnails of previewed photos, while the worker cannot answer yet (undefined: ask it). */
  thumbnails(ids: string[]): Promise<(Blob | undefined)[]> | undefined {
    return this.scope ? this.store.getThumbnails(this.scope, ids) : undefined;
  }

  /** Stores the scope the model's photos are under, when it is not the one remembered. */
  async remember(
    modelId: string,
    visionDtype: Dtype,
    put: (key: string, value: unknown) => Promise<void>,
  ): Promise<void> {
    const saved = this.saved;
    if (Array.isArray(saved) && saved[0] === modelId && saved[1] === visionDtype) return;
    this.saved = [modelId, visionDtype];
    await put(LIBRARY_SCOPE_KEY, this.saved).catch(() => undefined);
  }

  /**
   * The preview is over (the worker's restore is in, the library was cleared, or another start
   * begins): the ids it showed that nothing took over, for the page to drop.
   */
  end(): string[] {
    this.stop();
    this.scope = undefined;
    const left = [...this.shown];
    this.shown.clear();
    return left;
  }
}
