/**
 * Adaptation of the label side to a person's feedback (issue 6), on cached embeddings only:
 * MuMIC's tempered-sigmoid BCE with a hardness weight, Adam, early stopping, evaluation, heads.
 * docs/ADAPTATION.md explains the loss, the defaults and the measured numbers.
 */
export type { FeedbackEntry, FeedbackValue } from './feedback.ts';
export {
  feedbackCellKey,
  mergeFeedback,
  parseFeedbackFile,
  serializeFeedback,
  FEEDBACK_FORMAT,
  FEEDBACK_VERSION,
  type FeedbackMerge,
  type PhotoFeedback,
} from './feedback-file.ts';
export { fitHeadToLabels, type HeadFit, type LabelSetNow } from './head-fit.ts';
export type { AdaptInput, PreparedInput } from './prepare.ts';
export { prepareInput } from './prepare.ts';
export {
  adapt,
  adaptPrepared,
  resolveAdaptOptions,
  DEFAULT_ADAPT_OPTIONS,
  type AdaptMode,
  type AdaptOptions,
  type AdaptProgress,
  type AdaptResult,
  type AdaptedLabel,
  type EarlyStopping,
} from './train.ts';
export {
  evaluateAdaptation,
  evaluatePrepared,
  DEFAULT_FOLDS,
  KFOLD_BELOW_PHOTOS,
  type AdaptEvaluation,
  type EvaluateOptions,
} from './evaluate.ts';
export { evaluateKnownCells } from './known-cells.ts';
export { hardnessBce } from './objective.ts';
export {
  applyAdapted,
  applyHead,
  buildHead,
  checkHeadFits,
  headMetrics,
  parseHead,
  serializeHead,
  validateHead,
  validateHeadShape,
  HEAD_FORMAT,
  HEAD_VERSION,
  type AdaptedParams,
  type AppliedHead,
  type BuildHeadInfo,
  type HeadExpectation,
  type HeadLabel,
  type HeadMetrics,
  type HeadModel,
  type HeadScores,
  type HeadTraining,
  type MumicHead,
} from './head.ts';
