// One photo as the page holds it. Its thumbnail is kept as the stored Blob, and the object URL is
// made only when something reads `thumbUrl` (a drawn tile, the detail view): a library of 10,000
// restored photos makes URLs for the few hundred tiles drawn, not for every photo at start-up.
import type { ErrorInfo } from '../../core/errors.ts';
import type { PhotoRecord } from '../../shared/worker-api.ts';

export class PhotoView {
  /** The page's handle (ids come from the worker once the file is hashed). */
  readonly key: number;
  id: string | undefined;
  /** SHA-256 of the content (what feedback is keyed by), once the worker has hashed it. */
  hash: string | undefined = undefined;
  name: string;
  path: string;
  size: number;
  /** The original file, this session only (after a reload only the thumbnail is kept). */
  file: File | undefined;
  state: 'queued' | 'done' | 'error' = 'queued';
  error: ErrorInfo | undefined = undefined;
  row: { version: number; scores: Float32Array; cosines: Float32Array } | undefined = undefined;
  private thumbBlob: Blob | undefined = undefined;
  private url: string | undefined = undefined;
  /** A restored photo's thumbnail is asked of the worker when first shown (once). */
  fetchThumbnail: ((view: PhotoView) => void) | undefined = undefined;

  constructor(key: number, name: string, path: string, size: number, file: File | undefined) {
    this.key = key;
    this.id = undefined;
    this.name = name;
    this.path = path;
    this.size = size;
    this.file = file;
  }

  /** What the worker stored of it (tagged, or failed by name). */
  takeRecord(record: PhotoRecord): void {
    this.id = record.id;
    this.hash = record.hash;
    this.size = record.size;
    this.error = record.error;
    this.state = record.error ? 'error' : 'done';
    if (record.thumbnail) this.setThumbnail(record.thumbnail);
    if (record.error) this.row = undefined;
  }

  /** A thumbnail to show (its URL is made when first read; the old one is revoked). */
  setThumbnail(blob: Blob): void {
    this.releaseThumbnail();
    this.fetchThumbnail = undefined;
    this.thumbBlob = blob;
  }

  /** Makes the object URL of the thumbnail now (state/thumbnail-fetcher.ts spreads them). */
  makeUrl(): void {
    if (this.url === undefined && this.thumbBlob) this.url = URL.createObjectURL(this.thumbBlob);
  }

  /** The URL made, handed to the caller to revoke (this view forgets it). */
  takeUrl(): string | undefined {
    const url = this.url;
    this.url = undefined;
    return url;
  }

  get thumbUrl(): string | undefined {
    this.makeUrl();
    if (this.url === undefined && this.fetchThumbnail) {
      const fetch = this.fetchThumbnail;
      this.fetchThumbnail = undefined;
      fetch(this);
    }
    return this.url;
  }

  /** Another owner took the URL (it must not be revoked here any more), or none is kept. */
  set thumbUrl(url: string | undefined) {
    this.url = url;
    if (url === undefined) this.thumbBlob = undefined;
  }

  /** Revokes the URL, if one was made, and forgets the thumbnail. */
  releaseThumbnail(): void {
    if (this.url !== undefined) URL.revokeObjectURL(this.url);
    this.url = undefined;
    this.thumbBlob = undefined;
  }
}
