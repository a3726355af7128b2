/**
 * Keys of everything the app stores (IndexedDB array keys). A stored vector is only valid for the
 * exact inputs that made it, so each key names all of them: a change of model, weight precision,
 * template set or label text gives a different key and never serves a stale vector.
 */
import type { Dtype } from './types.ts';

/** Bumped when the meaning of a stored value changes; old entries are then simply not found. */
export const STORE_SCHEMA = 1;

/** Lower-case hex SHA-256 of a file's bytes: the identity of a photo's content. */
export type ContentHash = string;

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isContentHash(value: unknown): value is ContentHash {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

/** Lower-case hex of a digest (e.g. crypto.subtle.digest's result). */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (const b of view) out += b.toString(16).padStart(2, '0');
  return out;
}

export type ImageEmbeddingKey = readonly ['image', number, string, Dtype, ContentHash];

/** An image embedding: (model id, vision dtype, content hash). */
export function imageEmbeddingKey(model: string, visionDtype: Dtype, hash: ContentHash) {
  return ['image', STORE_SCHEMA, model, visionDtype, hash] as const satisfies ImageEmbeddingKey;
}

export type LabelEmbeddingKey = readonly ['label', number, string, Dtype, string, string];

/**
 * A label embedding: (model id, text dtype, template set key, prompt text). The prompt, not the
 * display name or id, is what gets encoded, so two labels with one prompt share a vector.
 */
export function labelEmbeddingKey(
  model: string,
  textDtype: Dtype,
  templateKey: string,
  prompt: string,
) {
  return [
    'label',
    STORE_SCHEMA,
    model,
    textDtype,
    templateKey,
    prompt,
  ] as const satisfies LabelEmbeddingKey;
}

/** The photos (results) of one model and vision dtype: their embeddings are only valid there. */
export type PhotoScope = readonly ['photo', number, string, Dtype];

export function photoScope(model: string, visionDtype: Dtype): PhotoScope {
  return ['photo', STORE_SCHEMA, model, visionDtype];
}

export function photoKey(scope: PhotoScope, photoId: string): readonly [...PhotoScope, string] {
  return [...scope, photoId];
}

/**
 * A photo's id: its content and its path, so the same file added twice is one photo, while one
 * picture saved under two names is two photos (sharing one embedding).
 */
export function photoId(hash: ContentHash | undefined, path: string, fallback: string): string {
  return hash === undefined ? `unread:${fallback}:${path}` : `${hash}:${path}`;
}
