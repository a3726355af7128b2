// The library's embeddings as one contiguous matrix of unit rows (core/library's EmbeddingMatrix),
// kept beside the Library's maps and brought up to date before each use: rows of new photos are
// appended (the buffer grows by doubling), removed photos' rows are compacted out. Checking costs
// one pass of identity comparisons over the map (~0.1 ms at 10,000), no copying when unchanged.
import type { EmbeddingMatrix } from '../../core/library/index.ts';

export class EmbeddingIndex {
  /** Photo id of each row. */
  private ids: string[] = [];
  /** The raw embedding each row was made from (to notice a photo whose vector changed). */
  private sources: Float32Array[] = [];
  private hashes: (string | undefined)[] = [];
  private data = new Float32Array(0);
  private dim = 0;
  /** The map the rows were made from (another library: start over). */
  private owner: Map<string, Float32Array> | undefined;

  /**
   * The matrix of `embeddings` (id → raw vector, in insertion order), with row ids and content
   * hashes. The matrix's buffer is kept: callers must not keep it across calls.
   */
  sync(
    embeddings: Map<string, Float32Array>,
    dim: number,
    hashOf: (id: string) => string | undefined,
  ): { matrix: EmbeddingMatrix; ids: readonly string[]; hashes: readonly (string | undefined)[] } {
    if (this.owner !== embeddings || this.dim !== dim) this.reset(embeddings, dim);
    let same = true;
    // Rows still matching the map, in order; the map only appends (Map keeps insertion order),
    // so a removal shows as a skipped row and an addition as map entries past the last row.
    const keep: number[] = [];
    for (let r = 0; r < this.ids.length; r++) {
      const id = this.ids[r] as string;
      if (embeddings.get(id) === this.sources[r]) keep.push(r);
      else same = false;
    }
    if (!same) this.compact(keep);
    if (embeddings.size !== keep.length) this.append(embeddings, hashOf);
    const n = this.ids.length;
    return {
      matrix: { n, dim, data: this.data.subarray(0, n * dim) },
      ids: this.ids,
      hashes: this.hashes,
    };
  }

  private reset(owner: Map<string, Float32Array>, dim: number): void {
    this.owner = owner;
    this.dim = dim;
    this.ids = [];
    this.sources = [];
    this.hashes = [];
    this.data = new Float32Array(0);
  }

  private compact(keep: readonly number[]): void {
    const d = this.dim;
    keep.forEach((from, to) => {
      if (from !== to) this.data.copyWithin(to * d, from * d, (from + 1) * d);
    });
    this.ids = keep.map((r) => this.ids[r] as string);
    this.sources = keep.map((r) => this.sources[r] as Float32Array);
    this.hashes = keep.map((r) => this.hashes[r]);
    // Most rows gone (Clear all, a big removal): the buffer shrinks, so memory comes back.
    if (this.data.length > Math.max(1024, keep.length * 4) * d) {
      this.data = this.data.slice(0, Math.max(1024, keep.length * 2) * d);
    }
  }

  private append(
    embeddings: Map<string, Float32Array>,
    hashOf: (id: string) => string | undefined,
  ): void {
    const present = new Set(this.ids);
    const d = this.dim;
    for (const [id, vector] of embeddings) {
      if (present.has(id)) continue;
      // A vector of another length, zero or not finite has no direction: it is not ranked.
      const unit = unitRow(vector, d);
      if (!unit) continue;
      const row = this.ids.length;
      if ((row + 1) * d > this.data.length) {
        const grown = new Float32Array(Math.max(1024, (row + 1) * 2) * d);
        grown.set(this.data.subarray(0, row * d));
        this.data = grown;
      }
      this.data.set(unit, row * d);
      this.ids.push(id);
      this.sources.push(vector);
      this.hashes.push(hashOf(id));
    }
  }
}

function unitRow(v: Float32Array, dim: number): Float32Array | undefined {
  if (v.length !== dim) return undefined;
  let sq = 0;
  for (let k = 0; k < dim; k++) sq += (v[k] as number) ** 2;
  if (!(sq > 0 && Number.isFinite(sq))) return undefined;
  const inv = 1 / Math.sqrt(sq);
  const out = new Float32Array(dim);
  for (let k = 0; k < dim; k++) out[k] = (v[k] as number) * inv;
  return out;
}
