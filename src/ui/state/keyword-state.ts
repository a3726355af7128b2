// Keywords people already have (issue 15): from the sidecars of an opened folder, read as photos are
// added, and embedded in each photo (XMP, IPTC, EXIF), read by the worker with the core's exifr
// reader from the bytes it hashes and sent with the photo's result; matched to labels by
// name; and "Learn from your existing keywords": keywords become confirmed answers, and labels
// the person declares complete get rejections where the keyword is missing.
import { toErrorInfo, type ErrorInfo } from '../../core/errors.ts';
// The xmp modules themselves, not their index: exifr (the worker reads embedded keywords) stays
// out of the page's bundle.
import type { KeywordsRead } from '../../core/xmp/embedded-keywords.ts';
import { matchKeywords } from '../../core/xmp/keyword-labels.ts';
import { photoKeywordLeaves } from '../../core/xmp/keyword-truth.ts';
import type { KeywordLists } from '../../core/xmp/namespaces.ts';
import { readSidecarKeywords } from '../../core/xmp/sidecar-keywords.ts';
import { sidecarNames } from '../../core/xmp/sidecar-names.ts';
import type { FeedbackChange, HeadMetrics } from '../../shared/worker-api.ts';
import type { App } from '../app.ts';
import { plural } from '../format.ts';
import type { PhotoView } from './photo-state.ts';

export interface PhotoKeywords {
  leaves: string[];
  error: ErrorInfo | undefined;
}

/** What the last "learn" did. */
export interface KeywordLearning {
  positives: number;
  negatives: number;
  /** Cells the person had answered already (their answer stands). */
  kept: number;
  /** The adapted head's held-out metrics: zero-shot ("before") against adapted ("after"). */
  metrics: HeadMetrics | null;
}

export class KeywordState {
  /**
   * By photo path: a photo added again (a folder reopened after a reload) joins the stored
   * photo of the same content, which keeps its path but not the new photo's key.
   */
  private readonly byPath = new Map<string, Entry>();
  /** Labels the person says their keywording is complete for (ids). */
  readonly complete = new Set<string>();
  learned: KeywordLearning | undefined;
  busy = false;

  constructor(private readonly app: App) {}

  /** Photos just added: their sidecars' keywords, from the folder opened as they came. */
  photosAdded(views: readonly PhotoView[]): void {
    const sidecars = this.app.sidecars.folder?.sidecars;
    for (const view of views) this.update(view.path, sidecarLists(view.path, sidecars), undefined);
  }

  /**
   * A photo's embedded keywords, as the worker read them from the bytes it hashed (the page does
   * not read the file again; undefined: it could not read them, and what it read before stays).
   */
  read(view: PhotoView, embedded: KeywordsRead | undefined): void {
    const was = this.byPath.get(view.path);
    const sidecar = was?.sidecar ?? sidecarLists(view.path, undefined);
    this.update(view.path, sidecar, embedded ?? was?.embedded);
  }

  /** A photo's keywords from what they are made of (its sidecars' as it was added). */
  private update(path: string, sidecar: SidecarLists, embedded: KeywordsRead | undefined): void {
    const read = embedded && 'keywords' in embedded ? embedded.keywords : null;
    const keywords = {
      leaves: photoKeywordLeaves(read, sidecar.lists),
      error: (embedded && 'error' in embedded ? embedded.error : undefined) ?? sidecar.error,
    };
    this.byPath.set(path, { sidecar, embedded, keywords });
  }

  of(view: PhotoView): PhotoKeywords | undefined {
    return this.byPath.get(view.path)?.keywords;
  }

  /** Photos with keywords, the labels they name, and keywords naming no label (most used first). */
  summary(): { photos: number; matched: Map<string, number>; unknown: [string, number][] } {
    const labels = this.app.labelSet.labels;
    const matched = new Map<string, number>();
    const unknown = new Map<string, number>();
    let photos = 0;
    for (const view of this.app.library.photos) {
      const k = this.byPath.get(view.path)?.keywords;
      if (!k || k.leaves.length === 0) continue;
      photos++;
      const m = matchKeywords(k.leaves, labels);
      for (const id of m.labelIds) matched.set(id, (matched.get(id) ?? 0) + 1);
      for (const u of m.unknown) unknown.set(u, (unknown.get(u) ?? 0) + 1);
    }
    const byCount = [...unknown].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return { photos, matched, unknown: byCount };
  }

  async addAsLabel(keyword: string): Promise<void> {
    await this.app.labelSet.addLabel(keyword);
    this.app.changed();
  }

  setComplete(labelId: string, on: boolean): void {
    if (on) this.complete.add(labelId);
    else this.complete.delete(labelId);
    this.app.changed();
  }

  /** The answers keywords give; a cell the person answered keeps their answer. */
  changes(): { changes: FeedbackChange[]; kept: number } {
    const labels = this.app.labelSet.labels;
    const changes: FeedbackChange[] = [];
    let kept = 0;
    for (const view of this.app.library.photos) {
      const k = this.byPath.get(view.path)?.keywords;
      if (!k || k.leaves.length === 0 || view.hash === undefined) continue;
      const present = new Set(matchKeywords(k.leaves, labels).labelIds);
      const answered = this.app.learning.answered(view);
      for (const label of labels) {
        const value = present.has(label.id) ? 1 : this.complete.has(label.id) ? -1 : undefined;
        if (value === undefined) continue;
        if (answered.has(label.id)) {
          kept++;
          continue;
        }
        changes.push({ hash: view.hash, label: label.id, value, text: label.prompt });
      }
    }
    return { changes, kept };
  }

  /** Stores the keyword answers, then adapts; the before/after metrics are the head's. */
  async learn(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.app.changed();
    try {
      const { changes, kept } = this.changes();
      if (changes.length === 0) {
        this.app.messages.notifyInfo('No keyword names a label of a tagged photo.');
        return;
      }
      await this.app.bridge.setFeedback(changes);
      await this.app.learning.load();
      await this.app.learning.adapt();
      const positives = changes.filter((c) => c.value === 1).length;
      this.learned = {
        positives,
        negatives: changes.length - positives,
        kept,
        metrics: this.app.learning.head?.metrics ?? null,
      };
      this.app.messages.notifyInfo(
        `Learned from ${plural(positives, 'keyword')} and ${plural(changes.length - positives, 'missing keyword')}.`,
      );
    } catch (error) {
      this.app.messages.notify(error);
    } finally {
      this.busy = false;
      this.app.changed();
    }
  }

  reset(): void {
    this.byPath.clear();
    this.complete.clear();
    this.learned = undefined;
  }
}

interface SidecarLists {
  lists: KeywordLists[];
  error: ErrorInfo | undefined;
}

/** A photo's keywords and what they are made of. */
interface Entry {
  sidecar: SidecarLists;
  embedded: KeywordsRead | undefined;
  keywords: PhotoKeywords;
}

/** The keyword lists of a photo's sidecars (both names) in an opened folder's sidecar texts. */
function sidecarLists(
  path: string,
  sidecars: ReadonlyMap<string, string> | undefined,
): SidecarLists {
  const lists: KeywordLists[] = [];
  try {
    for (const name of sidecarNames(path)) {
      const text = sidecars?.get(name);
      if (text !== undefined) lists.push(readSidecarKeywords(text, name).keywords);
    }
    return { lists, error: undefined };
  } catch (cause) {
    return { lists, error: toErrorInfo(cause) };
  }
}
