import { dotRows, type EmbeddingMatrix } from './matrix.ts';
import { nearPairSteps } from './near-pairs.ts';
import { runSteps } from './steps.ts';

/**
 * Default near-duplicate threshold on the image-image cosine; the reasoning is in
 * docs/LIBRARY.md ("Choosing the duplicate threshold").
 */
export const DEFAULT_DUPLICATE_COSINE = 0.99;

export interface DuplicateMember {
  index: number;
  /** Cosine with the group's reference photo. */
  cosine: number;
}

/** A group: the reference photo, then the others (best match first), each compared to it. */
export interface DuplicateGroup {
  reference: number;
  members: DuplicateMember[];
}

export interface DuplicateOptions {
  /** Cosine at or above which two photos are near-duplicates (default DEFAULT_DUPLICATE_COSINE). */
  minCosine?: number;
  /** Content hash per row; rows with the same hash are exact copies, always grouped. */
  hashes?: readonly (string | undefined)[];
  /** Check every pair exactly, without the signature filter (for tests; slow). */
  exhaustive?: boolean;
}

/**
 * Near-duplicate groups. Exact copies (same hash) are first folded into one node. Then every
 * pair of nodes at or above the threshold is found, and groups are formed greedily around the
 * node with the most near-duplicates first: it becomes the reference and takes every ungrouped
 * neighbour. So every member is within the threshold of its reference (a chain a~b~c with a, c
 * apart is not merged into one group), each photo is in at most one group, and the reference is
 * the most "central" photo of its group. Groups come in order of their reference's row.
 */
export function groupDuplicates(
  m: EmbeddingMatrix,
  options: DuplicateOptions = {},
): DuplicateGroup[] {
  return runSteps(duplicateGroupSteps(m, options));
}

/** groupDuplicates as steps of a few ms, to yield between (`runStepsYielding`). */
export function* duplicateGroupSteps(
  m: EmbeddingMatrix,
  options: DuplicateOptions = {},
): Generator<void, DuplicateGroup[]> {
  const minCosine = options.minCosine ?? DEFAULT_DUPLICATE_COSINE;
  const { nodes, copies } = foldCopies(m.n, options.hashes);
  const pairs = yield* nearPairSteps(m, minCosine, {
    rows: nodes,
    exhaustive: options.exhaustive ?? false,
  });

  // Adjacency in CSR form over row indices.
  const degree = new Int32Array(m.n);
  for (let k = 0; k < pairs.count; k++) {
    for (const i of [pairs.a[k] ?? 0, pairs.b[k] ?? 0]) degree[i] = (degree[i] ?? 0) + 1;
  }
  const start = new Int32Array(m.n + 1);
  for (let i = 0; i < m.n; i++) start[i + 1] = (start[i] ?? 0) + (degree[i] ?? 0);
  const fill = start.slice(0, m.n);
  const neighbour = new Int32Array(pairs.count * 2);
  const cosine = new Float32Array(pairs.count * 2);
  for (let k = 0; k < pairs.count; k++) {
    const a = pairs.a[k] ?? 0;
    const b = pairs.b[k] ?? 0;
    const c = pairs.cosine[k] ?? 0;
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const at = fill[from] ?? 0;
      neighbour[at] = to;
      cosine[at] = c;
      fill[from] = at + 1;
    }
  }

  const order = Array.from(nodes).filter((i) => (degree[i] ?? 0) > 0 || copies.has(i));
  order.sort((x, y) => (degree[y] ?? 0) - (degree[x] ?? 0) || x - y);
  const grouped = new Uint8Array(m.n);
  const groups: DuplicateGroup[] = [];
  for (const ref of order) {
    if (grouped[ref]) continue;
    const members: DuplicateMember[] = [];
    const add = (node: number, c: number) => {
      grouped[node] = 1;
      members.push({ index: node, cosine: c });
      for (const copy of copies.get(node) ?? []) {
        members.push({ index: copy, cosine: Math.min(1, dotRows(m.data, m.dim, ref, copy)) });
      }
    };
    for (let e = start[ref] ?? 0; e < (start[ref + 1] ?? 0); e++) {
      const nb = neighbour[e] ?? 0;
      if (!grouped[nb]) add(nb, cosine[e] ?? 0);
    }
    if (members.length === 0 && !copies.has(ref)) continue;
    grouped[ref] = 1;
    for (const copy of copies.get(ref) ?? []) {
      members.push({ index: copy, cosine: Math.min(1, dotRows(m.data, m.dim, ref, copy)) });
    }
    members.sort((a, b) => b.cosine - a.cosine || a.index - b.index);
    groups.push({ reference: ref, members });
  }
  return groups.sort((a, b) => a.reference - b.reference);
}

/** One node per distinct hash (its first row); the other rows of each hash as its copies. */
function foldCopies(
  n: number,
  hashes: readonly (string | undefined)[] | undefined,
): { nodes: Int32Array; copies: Map<number, number[]> } {
  const copies = new Map<number, number[]>();
  if (!hashes) return { nodes: Int32Array.from({ length: n }, (_, i) => i), copies };
  const first = new Map<string, number>();
  const nodes: number[] = [];
  for (let i = 0; i < n; i++) {
    const h = hashes[i];
    const seen = h === undefined ? undefined : first.get(h);
    if (seen === undefined) {
      if (h !== undefined) first.set(h, i);
      nodes.push(i);
    } else {
      const list = copies.get(seen);
      if (list) list.push(i);
      else copies.set(seen, [i]);
    }
  }
  return { nodes: Int32Array.from(nodes), copies };
}
