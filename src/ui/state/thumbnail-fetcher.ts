// Restored photos' thumbnails, asked of the worker when their tiles are first drawn: the tiles of
// one render in one call, instead of every photo's Blob in the restore message. Their object URLs
// are made here, a few milliseconds' worth per task (createObjectURL of a stored Blob took 1.5-5 ms
// each under load: the 25 tiles of a fast scroll made a task of 100 ms), and revoked in the
// background when their tiles leave the DOM.
import type { App } from '../app.ts';
import type { PhotoView } from './photo-view.ts';

/** Milliseconds of object-URL work per task before the page gets a frame. */
const URL_BUDGET_MS = 6;

const nextFrame = (): Promise<void> =>
  new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

export class ThumbnailFetcher {
  private wanted: PhotoView[] = [];
  private revoking: string[] = [];

  constructor(private readonly app: App) {}

  want = (view: PhotoView): void => {
    if (view.id === undefined) return;
    this.wanted.push(view);
    if (this.wanted.length === 1) queueMicrotask(() => void this.fetch());
  };

  /**
   * A tile left the DOM (views/virtual-grid.ts): its object URL is revoked and the Blob let go;
   * it is asked of the worker again when the tile is drawn again.
   */
  park = (view: PhotoView): void => {
    if (view.id === undefined || this.app.detailKey === view.key) return;
    const url = view.takeUrl();
    view.releaseThumbnail();
    view.fetchThumbnail = this.want;
    if (url === undefined) return;
    this.revoking.push(url);
    if (this.revoking.length === 1) setTimeout(this.revokeSome, 50);
  };

  private revokeSome = (): void => {
    const start = performance.now();
    while (this.revoking.length > 0 && performance.now() - start < URL_BUDGET_MS) {
      URL.revokeObjectURL(this.revoking.pop() as string);
    }
    if (this.revoking.length > 0) setTimeout(this.revokeSome, 16);
  };

  private async fetch(): Promise<void> {
    const views = this.wanted.splice(0);
    try {
      const ids = views.map((v) => v.id as string);
      // Tiles shown before the worker's restore: read by the page (state/library-preview.ts).
      const blobs = await (this.app.preview?.thumbnails(ids) ??
        this.app.bridge.photoThumbnails(ids));
      let start = performance.now();
      for (const [i, view] of views.entries()) {
        const blob = blobs[i];
        // Its tile left the DOM while the worker read it (parked: asked again when drawn).
        if (!blob || view.fetchThumbnail !== undefined) continue;
        if (performance.now() - start > URL_BUDGET_MS) {
          this.app.changed();
          await nextFrame();
          start = performance.now();
          if (view.fetchThumbnail !== undefined) continue;
        }
        view.setThumbnail(blob);
        view.makeUrl();
      }
      this.app.changed();
    } catch {
      // A thumbnail that cannot be read leaves its placeholder; the photo itself is fine.
    }
  }
}
