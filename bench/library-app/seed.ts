// Runs in the app's page (bundled by bench/library-app.ts): writes a synthetic library straight
// into the app's IndexedDB through the app's own store, skipping decoding and encoding. Photos
// come in scenes (a shared direction plus noise, like CLIP photos of one place), and one photo in
// 20 has a near-duplicate (a re-encode: tiny noise), so grouping has real work.
import { imageEmbeddingKey, photoId, photoScope } from '../../src/core/cache-keys.ts';
import type { Dtype } from '../../src/core/types.ts';
import type { PhotoRecord } from '../../src/shared/worker-api.ts';
import { IdbStore } from '../../src/store/idb-store.ts';

export interface SeedRequest {
  n: number;
  dim: number;
  model: string;
  dtype: Dtype;
}

/** A deterministic generator (mulberry32), so every run stores the same library. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function thumbnail(i: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(96, 72);
  const g = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
  g.fillStyle = `hsl(${(i * 37) % 360} 60% 50%)`;
  g.fillRect(0, 0, 96, 72);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
}

async function seed({ n, dim, model, dtype }: SeedRequest): Promise<number> {
  const started = performance.now();
  const rnd = random(11);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const scenes = Array.from({ length: Math.ceil(n / 10) }, () =>
    Float32Array.from({ length: dim }, gauss),
  );
  // A few distinct thumbnails, each stored per photo (as the app stores one per photo).
  const thumbs = await Promise.all(Array.from({ length: 16 }, (_, i) => thumbnail(i)));
  const store = new IdbStore();
  const scope = photoScope(model, dtype);
  const CHUNK = 500;
  let previous: Float32Array | undefined;
  for (let start = 0; start < n; start += CHUNK) {
    const photos: PhotoRecord[] = [];
    const vectors: [ReturnType<typeof imageEmbeddingKey>, Float32Array][] = [];
    for (let i = start; i < Math.min(n, start + CHUNK); i++) {
      const scene = scenes[Math.floor(rnd() * scenes.length)] as Float32Array;
      const nearCopy = previous !== undefined && i % 20 === 19;
      const base: Float32Array = nearCopy ? (previous as Float32Array) : scene;
      const noise = nearCopy ? 0.01 : 0.8;
      const v = Float32Array.from(base, (x) => x + noise * gauss());
      previous = v;
      const hash = (i.toString(16).padStart(8, '0') + 'ab'.repeat(28)).slice(0, 64);
      const path = `library/${Math.floor(i / 500)}/photo-${i}.jpg`;
      photos.push({
        id: photoId(hash, path, String(i)),
        name: `photo-${i}.jpg`,
        path,
        size: 200_000 + i,
        type: 'image/jpeg',
        hash,
        seq: i,
        thumbnail: new Blob([thumbs[i % thumbs.length] as Blob], { type: 'image/jpeg' }),
      });
      vectors.push([imageEmbeddingKey(model, dtype, hash), v]);
    }
    await store.putPhotos(scope, photos, vectors);
  }
  return performance.now() - started;
}

Object.assign(globalThis, { seedLibrary: seed });
