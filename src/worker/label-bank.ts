// The label set in the worker: one unit vector per label, found in memory, in the store, in the
// model's precomputed file, or else encoded (once) and stored. Scores photos against the set,
// through the adapted head when there is one (labels it does not cover keep zero-shot scoring).
import { fitHeadToLabels, type HeadFit } from '../core/adapt/head-fit.ts';
import { applyAdapted, type AppliedHead, type MumicHead } from '../core/adapt/head.ts';
import { labelEmbeddingKey, type LabelEmbeddingKey } from '../core/cache-keys.ts';
import { MumicError, toErrorInfo, type ErrorInfo } from '../core/errors.ts';
import {
  labelEmbeddingFileName,
  labelEmbeddingMismatch,
  parseLabelEmbeddingFile,
} from '../core/label-embedding-file.ts';
import { embedLabels } from '../core/label-embeddings.ts';
import { templateSetKey, validateTemplates } from '../core/prompts.ts';
import { DEFAULT_SCORING, scoreImages, type SigmoidParams } from '../core/score.ts';
import type { Dtype } from '../core/types.ts';
import type { LabelProgress, LabelRef, ScoreTable } from '../shared/worker-api.ts';
import type { MumicStore } from '../store/types.ts';

export interface LabelContext {
  model: string;
  textDtype: Dtype;
  dim: number;
  /** Text encoder: [texts × dim], unnormalised. */
  encode(texts: string[]): Promise<Float32Array>;
  /** Texts per text-encoder run (1 where a vector would otherwise depend on its batch). */
  batchSize: number;
  /** The text of a file in the model folder, undefined when it is not there. */
  readModelFile(name: string): Promise<string | undefined>;
  /** The model's tempered-sigmoid defaults (its family's, or SigLIP's own); default CLIP's. */
  scoring?: SigmoidParams | undefined;
  /** False once another model was loaded: the set is then not made current (ModelChanged). */
  stillCurrent?: (() => boolean) | undefined;
}

/** The model changed while a set was being made for it (caught by the caller, never shown). */
export class ModelChanged extends MumicError {
  constructor() {
    super('Cancelled', 'another model was loaded while the label set was being made');
  }
}

export interface LabelSetOutcome {
  encoded: number;
  fromFile: number;
  fromStore: number;
  fileNote: string | undefined;
  storageError: ErrorInfo | undefined;
}

/** Labels encoded per text-encoder call group (progress is reported between groups). */
const ENCODE_GROUP = 16;

const keyString = (k: LabelEmbeddingKey): string => JSON.stringify(k);

/** The zero-shot label set: what adaptation starts from and what a head is checked against. */
export interface ZeroShotSet {
  ids: readonly string[];
  prompts: readonly string[];
  /** [labels × dim] unit vectors. */
  matrix: Float32Array;
  dim: number;
  templateKey: string;
  /** The model's zero-shot scoring, where adaptation starts (default CLIP's). */
  scoring?: SigmoidParams;
}

export class LabelBank {
  constructor(
    private readonly store: Pick<MumicStore, 'getLabelEmbeddings' | 'putLabelEmbeddings'>,
  ) {}

  /** Bumped by every change of what scores mean: the label set or the head. */
  version = 0;
  private ids: string[] = [];
  private prompts: string[] = [];
  private templateKey = '';
  private matrix = new Float32Array(0);
  private dim = 0;
  private scoring: SigmoidParams = DEFAULT_SCORING;
  private head: MumicHead | undefined;
  /** The head applied to the current set (made lazily, dropped on any change). */
  private applied: { fit: HeadFit; head: AppliedHead } | undefined;
  /** Vectors already seen this session, by JSON of their key. */
  private readonly memory = new Map<string, Float32Array>();
  /** Precomputed files already read this session (model|dtype|templates). */
  private readonly filesTried = new Set<string>();

  get labelIds(): readonly string[] {
    return this.ids;
  }

  /** Forgets in-memory vectors (after the store was cleared). */
  reset(): void {
    this.memory.clear();
    this.filesTried.clear();
  }

  /**
   * Another model was loaded: the set, its vectors' model and the head all belonged to the one
   * before, so nothing is scored until the labels are set again for the new one (vectors stay in
   * memory under their model's keys).
   */
  forgetSet(): void {
    this.ids = [];
    this.prompts = [];
    this.templateKey = '';
    this.matrix = new Float32Array(0);
    this.dim = 0;
    this.scoring = DEFAULT_SCORING;
    this.head = undefined;
    this.applied = undefined;
    this.version++;
  }

  async set(
    labels: readonly LabelRef[],
    templates: readonly string[],
    ctx: LabelContext,
    onProgress?: (p: LabelProgress) => void,
  ): Promise<LabelSetOutcome> {
    const checked = validateTemplates(templates);
    const templateKey = templateSetKey(checked);
    const ids = new Set<string>();
    for (const l of labels) {
      if (ids.has(l.id)) throw new MumicError('InvalidLabelSet', `duplicate label id "${l.id}"`);
      ids.add(l.id);
    }
    const keyOf = (prompt: string) =>
      labelEmbeddingKey(ctx.model, ctx.textDtype, templateKey, prompt);
    const prompts = [...new Set(labels.map((l) => l.prompt))];
    const missing = () => prompts.filter((p) => !this.memory.has(keyString(keyOf(p))));
    const outcome: LabelSetOutcome = {
      encoded: 0,
      fromFile: 0,
      fromStore: 0,
      fileNote: undefined,
      storageError: undefined,
    };
    const noteStorage = (error: unknown) => {
      outcome.storageError ??= toErrorInfo(error);
    };

    // 1. The store.
    let want = missing();
    if (want.length > 0) {
      try {
        const found = await this.store.getLabelEmbeddings(want.map(keyOf));
        found.forEach((v, i) => {
          const prompt = want[i];
          if (v instanceof Float32Array && v.length === ctx.dim && prompt !== undefined) {
            this.memory.set(keyString(keyOf(prompt)), v);
            outcome.fromStore++;
          }
        });
      } catch (error) {
        noteStorage(error);
      }
    }

    // 2. The model's precomputed file (read once per session and template set).
    want = missing();
    const fileId = `${ctx.model}|${ctx.textDtype}|${templateKey}`;
    if (want.length > 0 && !this.filesTried.has(fileId)) {
      this.filesTried.add(fileId);
      const { loaded, note } = await this.readFile(ctx, templateKey, keyOf, noteStorage);
      outcome.fileNote = note;
      const wanted = new Set(want);
      outcome.fromFile = loaded.filter((p) => wanted.has(p)).length;
    }

    // 3. The text encoder, for whatever is left.
    want = missing();
    const total = want.length;
    onProgress?.({ done: 0, total });
    for (let start = 0; start < want.length; start += ENCODE_GROUP) {
      const group = want.slice(start, start + ENCODE_GROUP);
      const vectors = await embedLabels(
        group.map((prompt) => ({ prompt })),
        checked,
        (texts) => ctx.encode(texts),
        ctx.dim,
        ctx.batchSize,
      );
      const entries = group.map(
        (prompt, j) =>
          [keyOf(prompt), vectors.slice(j * ctx.dim, (j + 1) * ctx.dim)] as [
            LabelEmbeddingKey,
            Float32Array,
          ],
      );
      for (const [k, v] of entries) this.memory.set(keyString(k), v);
      outcome.encoded += group.length;
      await this.store.putLabelEmbeddings(entries).catch(noteStorage);
      onProgress?.({ done: Math.min(total, start + group.length), total });
    }

    // 4. The matrix, in label order (unless the model it was made for is no longer loaded).
    if (ctx.stillCurrent && !ctx.stillCurrent()) throw new ModelChanged();
    const matrix = new Float32Array(labels.length * ctx.dim);
    labels.forEach((l, j) => {
      const v = this.memory.get(keyString(keyOf(l.prompt)));
      if (!v) throw new MumicError('InferenceFailed', `no vector for label "${l.id}"`);
      matrix.set(v, j * ctx.dim);
    });
    this.ids = labels.map((l) => l.id);
    this.scoring = {
      temperature: ctx.scoring?.temperature ?? DEFAULT_SCORING.temperature,
      bias: ctx.scoring?.bias ?? DEFAULT_SCORING.bias,
    };
    this.prompts = labels.map((l) => l.prompt);
    this.templateKey = templateKey;
    this.matrix = matrix;
    this.dim = ctx.dim;
    this.applied = undefined;
    this.version++;
    return outcome;
  }

  get zeroShot(): ZeroShotSet {
    return {
      ids: this.ids,
      prompts: this.prompts,
      matrix: this.matrix,
      dim: this.dim,
      templateKey: this.templateKey,
      scoring: this.scoring,
    };
  }

  /** Scores go through `head` from now on (undefined: zero-shot). */
  setHead(head: MumicHead | undefined): void {
    this.head = head;
    this.applied = undefined;
    this.version++;
  }

  get currentHead(): MumicHead | undefined {
    return this.head;
  }

  /** Which of the head's labels apply to the current set, and why the others do not. */
  headFit(): HeadFit | undefined {
    return this.effective()?.fit;
  }

  private effective(): { fit: HeadFit; head: AppliedHead } | undefined {
    const head = this.head;
    if (!head || this.ids.length === 0) return undefined;
    if (!this.applied) {
      const fit = fitHeadToLabels(head, {
        labelIds: this.ids,
        labelTexts: this.prompts,
        templates: this.templateKey,
        projectionDim: this.dim,
      });
      const applied = applyAdapted(fit.labels, this.ids, this.matrix, this.dim, this.scoring);
      this.applied = { fit, head: applied };
    }
    return this.applied;
  }

  /** Scores [photos × dim] raw image embeddings against the current set. */
  score(photoIds: string[], embeddings: readonly Float32Array[]): ScoreTable {
    if (photoIds.length === 0 || this.ids.length === 0) {
      // n × 0 or 0 × m: rows of no scores (also between a model load and its label set).
      const none = new Float32Array(0);
      const table = { version: this.version, labelIds: [...this.ids] };
      return { ...table, photoIds: [...photoIds], scores: none, cosines: none };
    }
    // The set is forgotten at every model load, so a photo of another size is a broken invariant.
    if (embeddings.some((e) => e.length !== this.dim)) {
      throw new MumicError('InferenceFailed', `photo embeddings are not of the label set's size`);
    }
    const d = this.dim;
    const images = new Float32Array(embeddings.length * d);
    embeddings.forEach((e, i) => images.set(e, i * d));
    const adapted = this.effective()?.head;
    const scored = adapted
      ? scoreImages(images, adapted.labelEmbeddings, d, this.ids, adapted.scoring)
      : scoreImages(images, this.matrix, d, this.ids, this.scoring);
    return {
      version: this.version,
      labelIds: [...this.ids],
      photoIds: [...photoIds],
      scores: scored.scores,
      cosines: scored.cosines,
    };
  }

  private async readFile(
    ctx: LabelContext,
    templateKey: string,
    keyOf: (prompt: string) => LabelEmbeddingKey,
    noteStorage: (error: unknown) => void,
  ): Promise<{ loaded: string[]; note: string | undefined }> {
    const name = labelEmbeddingFileName(ctx.textDtype);
    let text: string | undefined;
    try {
      text = await ctx.readModelFile(name);
    } catch (error) {
      return { loaded: [], note: `${name} could not be read: ${toErrorInfo(error).message}` };
    }
    if (text === undefined) return { loaded: [], note: undefined };
    try {
      const table = parseLabelEmbeddingFile(text);
      const mismatch = labelEmbeddingMismatch(table, {
        model: ctx.model,
        dtype: ctx.textDtype,
        templateKey,
        dim: ctx.dim,
      });
      if (mismatch !== undefined) return { loaded: [], note: `${name} is ${mismatch}` };
      const entries = table.labels.map(
        (l, r) =>
          [keyOf(l.prompt), table.vectors.slice(r * ctx.dim, (r + 1) * ctx.dim)] as [
            LabelEmbeddingKey,
            Float32Array,
          ],
      );
      for (const [k, v] of entries) this.memory.set(keyString(k), v);
      await this.store.putLabelEmbeddings(entries).catch(noteStorage);
      return { loaded: table.labels.map((l) => l.prompt), note: undefined };
    } catch (error) {
      return { loaded: [], note: `${name} was not used: ${toErrorInfo(error).message}` };
    }
  }
}
