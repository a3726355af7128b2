import type { Pixels8 } from '../src/core/resize.ts';

/** Deterministic noise: every byte value occurs, neighbours differ (overshoot gets clipped). */
export function noise(width: number, height: number, channels: number, seed: number): Pixels8 {
  let s = seed >>> 0;
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, channels, data };
}
