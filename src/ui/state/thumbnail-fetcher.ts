// Restored photos' thumbnails, asked of the worker when their tiles are first drawn: the tiles of
// one render in one call, instead of every photo's Blob in the restore message.
import type { App } from '../app.ts';
import type { PhotoView } from './photo-view.ts';

export class ThumbnailFetcher {
  private wanted: PhotoView[] = [];

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
    view.releaseThumbnail();
    view.fetchThumbnail = this.want;
  };

  private async fetch(): Promise<void> {
    const views = this.wanted.splice(0);
    try {
      const blobs = await this.app.bridge.photoThumbnails(views.map((v) => v.id as string));
      views.forEach((view, i) => {
        const blob = blobs[i];
        if (blob) view.setThumbnail(blob);
      });
      this.app.changed();
    } catch {
      // A thumbnail that cannot be read leaves its placeholder; the photo itself is fine.
    }
  }
}
