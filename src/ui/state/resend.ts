// After a backend switch mid-batch (issue 10, item 3) the worker names the photos stored only
// under the old dtype (BatchUpdate.leftBehind). Their vectors cannot serve the new dtype, so the
// page sends their files again: they are encoded on the fallback and stored in its scope, where a
// label change rescores them and a reload on it shows them. Until then they keep their scores.
import type { ModelStatus } from '../../shared/worker-api.ts';
import type { App } from '../app.ts';
import { plural } from '../format.ts';
import type { PhotoView } from './photo-view.ts';

export class Resend {
  /** Photos already tagged, queued again: a cancel keeps them, a worker failure re-queues them. */
  private readonly views = new Set<PhotoView>();

  /**
   * The backend switched: the status line shows what is in use now, and the photos of
   * `leftBehind` whose file this page holds (added this session) are queued again. A photo
   * restored from an earlier visit has no file here and keeps its scores; the notice says so.
   */
  switched(
    model: ModelStatus,
    leftBehind: readonly string[],
    app: Pick<App, 'modelStatus' | 'messages'>,
    byId: (id: string) => PhotoView | undefined,
    queue: PhotoView[],
  ): void {
    app.modelStatus = model;
    let sent = 0;
    let without = 0;
    for (const id of leftBehind) {
      const view = byId(id);
      if (!view) continue;
      if (!view.file) without++;
      else if (!this.views.has(view) && !queue.includes(view)) {
        this.views.add(view);
        queue.push(view);
        sent++;
      }
    }
    if (sent + without === 0) return;
    const why = model.fallbackReason ? ` (${model.fallbackReason})` : '';
    const parts = [`The model moved to the CPU${why}.`];
    if (sent > 0) {
      parts.push(
        `${plural(sent, 'photo tagged before is', 'photos tagged before are')} being encoded again there, so it stays in your library.`,
      );
    }
    if (without > 0) {
      parts.push(
        `Not encoded again: ${plural(without, 'photo')} from an earlier visit, whose files are not kept here (they keep their scores; add them again to have label changes rescore them).`,
      );
    }
    app.messages.notifyInfo(parts.join(' '));
  }

  /** Cancelled: a photo tagged before and sent again keeps its place (true), a new one goes. */
  kept(view: PhotoView): boolean {
    return this.views.delete(view);
  }

  has(view: PhotoView): boolean {
    return this.views.has(view);
  }

  /** Its result arrived (or it was dropped). */
  done(view: PhotoView): void {
    this.views.delete(view);
  }

  clear(): void {
    this.views.clear();
  }
}
