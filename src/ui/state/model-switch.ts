// Switching the loaded model (issue 12): the list of models to choose from, and the photos of the
// page that were tagged with another model. Each model's library is its own (the worker stores
// photos, embeddings, label vectors and heads per model and dtype); on a switch the page shows the
// new model's library, and the photos it had before are listed as "tagged with <model>", to be
// re-tagged with the new one while the page still holds their files (this session only).
import type { App } from '../app.ts';
import type { ModelPicker } from '../model-picker-state.ts';
import {
  choicesFromDisk,
  fetchServerChoices,
  mergeChoices,
  type ModelChoice,
} from './model-choices.ts';

export interface OtherModelPhoto {
  /** The model it was tagged with. */
  model: string;
  name: string;
  path: string;
  /** SHA-256 of its content, when it was hashed. */
  hash: string | undefined;
  /** The original file, while this session holds it; else it must be dropped again. */
  file: File | undefined;
  thumbUrl: string | undefined;
}

export class ModelSwitch {
  choices: ModelChoice[] = [];
  /** Photos tagged with another model and not with the loaded one, newest switch first. */
  others: OtherModelPhoto[] = [];
  /** Set by main.ts: loads a model (start-up again, with the URL's ?model= updated). */
  onLoad: ((id: string) => void) | undefined;

  constructor(
    private readonly app: App,
    private readonly modelsUrl: string,
    private readonly picker: ModelPicker | undefined,
  ) {}

  /** Re-reads the server's index.json and the models chosen from disk. */
  async refresh(): Promise<void> {
    const server = await fetchServerChoices(this.modelsUrl);
    this.choices = mergeChoices(server, choicesFromDisk(this.picker?.local ?? []));
    this.app.changed();
  }

  /** The model loaded, or being loaded. */
  get current(): string | undefined {
    return this.app.modelRequest?.id ?? this.app.modelStatus?.id;
  }

  /** Loads another model; the photos shown now are kept aside as tagged with the one left. */
  async choose(id: string): Promise<void> {
    if (id === this.current && this.app.modelPhase !== 'failed') return;
    await this.leave();
    this.onLoad?.(id);
  }

  private async leave(): Promise<void> {
    const { app } = this;
    const from = app.modelPhase === 'ready' ? app.modelStatus?.id : undefined;
    await app.library.cancel();
    if (from !== undefined) {
      const kept: OtherModelPhoto[] = [];
      for (const view of app.library.photos) {
        if (view.state !== 'done') continue;
        kept.push({
          model: from,
          name: view.name,
          path: view.path,
          hash: view.hash,
          file: view.file,
          thumbUrl: view.thumbUrl,
        });
        // The list owns the thumbnail now: dropping the tile must not revoke it.
        view.thumbUrl = undefined;
      }
      const keptHashes = new Set(kept.map((p) => p.hash).filter(Boolean));
      this.drop((p) => p.hash !== undefined && keptHashes.has(p.hash));
      this.others = [...kept, ...this.others];
    }
    app.library.dropAll();
    // New photos wait for the next model's stored ones, as at start-up.
    app.library.restored = false;
    app.learning.reset();
    app.detailKey = undefined;
    app.changed();
  }

  /** The new model's library is in: what it has (or was tagged with it) is not "other". */
  arrived(): void {
    const here = this.current;
    const hashes = new Set(this.app.library.photos.map((p) => p.hash).filter(Boolean));
    this.drop((p) => p.model === here || (p.hash !== undefined && hashes.has(p.hash)));
    this.app.changed();
  }

  /** Tags, with the loaded model, the listed photos whose files the page still holds. */
  retag(): void {
    const withFiles = this.others.filter((p) => p.file !== undefined);
    if (withFiles.length === 0) return;
    this.drop((p) => p.file !== undefined);
    this.app.library.add({
      files: withFiles.map((p) => ({ file: p.file as File, path: p.path })),
      unreadable: [],
      truncated: false,
    });
  }

  dismiss(): void {
    this.drop(() => true);
    this.app.changed();
  }

  private drop(which: (p: OtherModelPhoto) => boolean): void {
    const keep: OtherModelPhoto[] = [];
    for (const p of this.others) {
      if (!which(p)) keep.push(p);
      else if (p.thumbUrl) URL.revokeObjectURL(p.thumbUrl);
    }
    this.others = keep;
  }
}
