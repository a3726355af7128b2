/**
 * Prompt templates. A label's text embedding is the mean of the L2-normalised embeddings of its
 * prompt in every template of the set, re-normalised (CLIP's prompt ensembling). A set of one
 * template is the common case; "{}" alone means the label text verbatim.
 */
import { MumicError } from './errors.ts';

export const PLACEHOLDER = '{}';
export const DEFAULT_TEMPLATE = 'a photo of a {}.';
export const VERBATIM_TEMPLATE = PLACEHOLDER;
export const MAX_TEMPLATE_LENGTH = 300;

export type TemplateSet = readonly string[];

export const DEFAULT_TEMPLATES: TemplateSet = Object.freeze([DEFAULT_TEMPLATE]);

/**
 * Named sets. "accommodation" is a guess at phrasings that suit listing photos; it has not been
 * measured against labelled data (see docs/SCORING.md).
 */
export const TEMPLATE_ENSEMBLES: Readonly<Record<string, TemplateSet>> = Object.freeze({
  default: DEFAULT_TEMPLATES,
  verbatim: Object.freeze([VERBATIM_TEMPLATE]),
  accommodation: Object.freeze([
    'a photo of a {}.',
    'a hotel photo of a {}.',
    'a travel photo of a {}.',
    'a wide-angle photo of a {}.',
    'a bright photo of a {}.',
  ]),
});

const bad = (reason: string): MumicError => new MumicError('InvalidArgument', reason);

/** Checks a template set: not empty, each template with a `{}` (else every label reads alike). */
export function validateTemplates(templates: TemplateSet): string[] {
  if (templates.length === 0) throw bad('a template set needs at least one template');
  return templates.map((t) => {
    if (typeof t !== 'string' || !t.includes(PLACEHOLDER)) {
      throw bad(`template ${JSON.stringify(t)} has no "{}" for the label text`);
    }
    if (t.length > MAX_TEMPLATE_LENGTH) {
      throw bad(`template is longer than ${MAX_TEMPLATE_LENGTH} characters`);
    }
    return t;
  });
}

/** A named ensemble, else one literal template (what a `--template` option receives). */
export function resolveTemplates(spec: string): string[] {
  const named = Object.hasOwn(TEMPLATE_ENSEMBLES, spec) ? TEMPLATE_ENSEMBLES[spec] : undefined;
  return validateTemplates(named ?? [spec]);
}

/** The texts to encode for one label: each template with every `{}` replaced by the prompt. */
export function expandPrompts(
  label: string | { readonly prompt: string },
  templates: TemplateSet = DEFAULT_TEMPLATES,
): string[] {
  const text = typeof label === 'string' ? label : label.prompt;
  // split/join, not String.replace: a '$' in the label text must stay literal.
  return validateTemplates(templates).map((t) => t.split(PLACEHOLDER).join(text));
}

/**
 * A cache-key part naming the template set. Order-free (the mean does not depend on order) but
 * duplicates count, since they weight the mean. JSON keeps any character unambiguous.
 */
export function templateSetKey(templates: TemplateSet): string {
  const sorted = [...validateTemplates(templates)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `tpl1:${JSON.stringify(sorted)}`;
}

/** Mean of the L2-normalised vectors, normalised again: the ensemble's label embedding. */
export function combineEmbeddings(vectors: readonly Float32Array[], dim: number): Float32Array {
  if (!Number.isInteger(dim) || dim <= 0) throw bad(`dimension must be a positive integer`);
  if (vectors.length === 0) throw bad('no embeddings to combine');
  // Float64 sums: a few hundred terms lose nothing worth keeping, but it costs nothing either.
  const sum = new Float64Array(dim);
  vectors.forEach((v, k) => {
    if (v.length !== dim) throw bad(`embedding ${k} has length ${v.length}, expected ${dim}`);
    let sq = 0;
    for (let i = 0; i < dim; i++) sq += (v[i] ?? 0) ** 2;
    const norm = Math.sqrt(sq);
    if (!(norm > 0 && Number.isFinite(norm))) throw bad(`embedding ${k} is zero or not finite`);
    for (let i = 0; i < dim; i++) sum[i] = (sum[i] ?? 0) + (v[i] ?? 0) / norm;
  });
  let sq = 0;
  for (let i = 0; i < dim; i++) sq += (sum[i] ?? 0) ** 2;
  const norm = Math.sqrt(sq);
  if (!(norm > 1e-12)) throw bad('the embeddings cancel out: their mean is zero');
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = (sum[i] ?? 0) / norm;
  return out;
}
