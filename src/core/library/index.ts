// The library's ranking and grouping over stored embeddings: pure, shared by the CLI and the worker.
export { unitMatrix, unitVector, rowOf, selectRows, type EmbeddingMatrix } from './matrix.ts';
export {
  storeMatrix,
  loadMatrix,
  dotAll,
  PRECISIONS,
  type Precision,
  type StoredMatrix,
} from './stored-matrix.ts';
export { topK, type Ranked } from './top-k.ts';
export { rankByVector, rankSimilar, type RankOptions } from './rank.ts';
export {
  groupDuplicates,
  duplicateGroupSteps,
  DEFAULT_DUPLICATE_COSINE,
  type DuplicateGroup,
  type DuplicateMember,
  type DuplicateOptions,
} from './duplicates.ts';
export { nearPairs, type NearPairs } from './near-pairs.ts';
export { runSteps, runStepsYielding } from './steps.ts';
export { encodeNpy, decodeNpy } from './npy.ts';
export { overlapAtK, kendallTau, rankingAgreement, type RankingAgreement } from './agreement.ts';
