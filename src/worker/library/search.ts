// Library search capability: ranks the stored photos of the loaded model by a text ("find
// photos"), by one of them ("more like this"), and groups near-duplicates, all over the stored
// embeddings (core/library); no photo is encoded again, and a query is never stored as a label.
import { embedLabels } from '../../core/label-embeddings.ts';
import {
  DEFAULT_DUPLICATE_COSINE,
  dotAll,
  duplicateGroupSteps,
  runStepsYielding,
  storeMatrix,
  topK,
  unitVector,
  type EmbeddingMatrix,
} from '../../core/library/index.ts';
import { MumicError } from '../../core/errors.ts';
import { runBatchSize } from '../../core/model-files.ts';
import { validateTemplates } from '../../core/prompts.ts';
import type { DuplicatesResult, PhotoRanking, WorkerApi } from '../../shared/worker-api.ts';
import { TEXT_BATCH, type ModelHost } from '../models/model-host.ts';
import { EmbeddingIndex } from './embedding-index.ts';
import type { PhotoLibrary } from './library.ts';

type SearchMethods = 'searchPhotos' | 'similarPhotos' | 'duplicatePhotos' | 'morePhotos';

/** The latest ranking, kept so the page can ask for more of it than its first page. */
interface KeptRanking {
  ranking: number;
  scores: Float32Array;
  ids: readonly string[];
  skip: number;
  textMs: number;
}

export class LibrarySearch implements Pick<WorkerApi, SearchMethods> {
  private index = new EmbeddingIndex();
  /** One [n] buffer for the cosines of every query (grown when the library grows). */
  private scratch = new Float32Array(0);
  private last: KeptRanking | undefined;
  private rankings = 0;

  constructor(
    private readonly models: ModelHost,
    private readonly library: PhotoLibrary,
  ) {}

  /** Everything was cleared: the matrix and its buffers go at once, not at the next query. */
  release(): void {
    this.index = new EmbeddingIndex();
    this.scratch = new Float32Array(0);
    this.last = undefined;
  }

  async searchPhotos(query: string, templates: string[], limit?: number): Promise<PhotoRanking> {
    const text = query.trim();
    if (!text) throw new MumicError('InvalidArgument', 'type some words to search for');
    const checked = validateTemplates(templates);
    const { info, encoder } = this.models.require();
    const started = performance.now();
    // The same template ensemble as a label (core/label-embeddings.ts), so a query and a label
    // of the same words rank alike.
    const vector = await embedLabels(
      [{ prompt: text }],
      checked,
      (texts) => this.models.encodeTexts(texts),
      info.projectionDim,
      runBatchSize(encoder.dtypes.text, TEXT_BATCH),
    );
    const textMs = performance.now() - started;
    const { matrix, ids } = await this.matrix();
    return this.rank(matrix, ids, vector, textMs, limit);
  }

  async similarPhotos(id: string, limit?: number): Promise<PhotoRanking> {
    const { matrix, ids } = await this.matrix();
    const row = ids.indexOf(id);
    if (row < 0) throw new MumicError('InvalidArgument', 'that photo has no stored embedding');
    const query = matrix.data.slice(row * matrix.dim, (row + 1) * matrix.dim);
    return this.rank(matrix, ids, query, 0, limit, row);
  }

  morePhotos(ranking: number, count: number): Promise<PhotoRanking | undefined> {
    const last = this.last;
    if (!last || last.ranking !== ranking) return Promise.resolve(undefined);
    return Promise.resolve(this.page(last, count, performance.now()));
  }

  async duplicatePhotos(minCosine = DEFAULT_DUPLICATE_COSINE): Promise<DuplicatesResult> {
    if (!(minCosine > 0 && minCosine <= 1)) {
      throw new MumicError('InvalidArgument', 'the threshold is a cosine in (0, 1]');
    }
    const live = await this.matrix();
    const started = performance.now();
    // A copy: the grouping yields to the event loop (to answer the supervisor's pings), and the
    // index changes its rows in place when photos come or go meanwhile.
    const matrix = { ...live.matrix, data: live.matrix.data.slice() };
    const ids = live.ids.slice();
    const hashes = live.hashes.slice();
    const steps = duplicateGroupSteps(matrix, { minCosine, hashes });
    const groups = (await runStepsYielding(steps)).map((g) => ({
      ids: [ids[g.reference] as string, ...g.members.map((m) => ids[m.index] as string)],
      cosines: [1, ...g.members.map((m) => m.cosine)],
    }));
    return { groups, minCosine, elapsedMs: performance.now() - started };
  }

  private async matrix() {
    const library = await this.library.current();
    const { info } = this.models.require();
    return this.index.sync(
      library.embeddings,
      info.projectionDim,
      (id) => library.records.get(id)?.hash,
    );
  }

  /**
   * Every row ranked by cosine with `query` (made unit here), `skip` left out; the best `limit`
   * are answered (all when not given), the rest kept for morePhotos.
   */
  private rank(
    matrix: EmbeddingMatrix,
    ids: readonly string[],
    query: Float32Array,
    textMs: number,
    limit = matrix.n,
    skip = -1,
  ): PhotoRanking {
    const started = performance.now();
    if (this.scratch.length < matrix.n) this.scratch = new Float32Array(matrix.n * 2);
    const scores = dotAll(
      storeMatrix(matrix),
      unitVector(query),
      this.scratch.subarray(0, matrix.n),
    );
    // Copied: the scratch buffer serves the next query, and the row ids may change after this.
    this.last = {
      ranking: ++this.rankings,
      scores: scores.slice(),
      ids: ids.slice(),
      skip,
      textMs,
    };
    return this.page(this.last, limit, started);
  }

  /** The first `count` of a kept ranking (a bounded heap: O(n log count)). */
  private page(last: KeptRanking, count: number, started: number): PhotoRanking {
    const { scores, ids, skip } = last;
    const ranked = topK(scores, count, skip >= 0 ? (i) => i === skip : undefined);
    const cosines = new Float32Array(ranked.length);
    const out: string[] = [];
    ranked.forEach((r, i) => {
      cosines[i] = r.score;
      out.push(ids[r.index] as string);
    });
    return {
      ids: out,
      cosines,
      total: skip >= 0 ? scores.length - 1 : scores.length,
      ranking: last.ranking,
      textMs: last.textMs,
      rankMs: performance.now() - started,
      counters: this.models.countersNow(),
    };
  }
}
