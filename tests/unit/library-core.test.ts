// Issue 11: the library's ranking kernel, storage precisions, near-duplicate grouping and .npy.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gaussian, syntheticLibrary } from '../../bench/library-data.ts';
import {
  decodeNpy,
  duplicateGroupSteps,
  encodeNpy,
  groupDuplicates,
  kendallTau,
  nearPairs,
  overlapAtK,
  rankByVector,
  rankSimilar,
  rankingAgreement,
  runStepsYielding,
  storeMatrix,
  topK,
  unitMatrix,
  type EmbeddingMatrix,
} from '../../src/core/library/index.ts';

const random = (n: number, dim: number, seed: number): EmbeddingMatrix => {
  const g = gaussian(seed);
  return unitMatrix(Float32Array.from({ length: n * dim }, g), dim);
};

describe('topK', () => {
  it('equals a full sort, ties to the lower index, with exclusions', () => {
    const g = gaussian(3);
    // Rounded scores: many ties.
    const scores = Float32Array.from({ length: 2000 }, () => Math.round(g() * 20) / 20);
    const exclude = (i: number) => i % 7 === 0;
    const sorted = Array.from(scores, (score, index) => ({ index, score }))
      .filter((r) => !exclude(r.index))
      .sort((a, b) => b.score - a.score || a.index - b.index);
    for (const k of [1, 10, 100, 5000]) {
      expect(topK(scores, k, exclude)).toEqual(sorted.slice(0, k));
    }
    expect(topK(scores, 0)).toEqual([]);
  });
});

describe('ranking', () => {
  const m = random(500, 64, 1);
  const query = Float32Array.from({ length: 64 }, gaussian(2));

  it('ranks by cosine, best first', () => {
    const ranked = rankByVector(storeMatrix(m), query, { top: 500 });
    const norm = Math.hypot(...query);
    const cosines = Array.from({ length: 500 }, (_, i) =>
      m.data.subarray(i * 64, (i + 1) * 64).reduce((s, v, k) => s + v * (query[k] ?? 0), 0),
    );
    expect(ranked.map((r) => r.index)).toEqual(
      cosines
        .map((c, i) => [c, i] as const)
        .sort((a, b) => b[0] - a[0])
        .map(([, i]) => i),
    );
    for (const r of ranked) expect(r.score).toBeCloseTo((cosines[r.index] ?? 0) / norm, 5);
  });

  it('leaves the photo itself out of "more like this", at every precision', () => {
    for (const precision of ['fp32', 'fp16', 'int8'] as const) {
      const ranked = rankSimilar(storeMatrix(m, precision), 42, { top: 499 });
      expect(ranked).toHaveLength(499);
      expect(ranked.some((r) => r.index === 42)).toBe(false);
    }
  });

  it('fp16 and int8 rankings agree with fp32 (synthetic CLIP-like embeddings)', () => {
    const lib = syntheticLibrary(3000, 512, 5);
    const exact = storeMatrix(lib);
    for (const [precision, minOverlap, minTau, maxError] of [
      ['fp16', 0.95, 0.99, 1e-3],
      ['int8', 0.8, 0.95, 2e-2],
    ] as const) {
      const a = rankingAgreement(exact, storeMatrix(lib, precision), [7, 700, 2100]);
      expect(a.overlapAt10.min).toBeGreaterThanOrEqual(minOverlap);
      expect(a.tau.min).toBeGreaterThan(minTau);
      expect(a.maxError).toBeLessThan(maxError);
    }
  });
});

describe('agreement measures', () => {
  it('overlap@k and Kendall tau', () => {
    expect(overlapAtK([1, 2, 3, 4], [4, 3, 9, 1], 4)).toBe(0.75);
    expect(kendallTau([1, 2, 3], [10, 20, 30])).toBe(1);
    expect(kendallTau([1, 2, 3], [3, 2, 1])).toBe(-1);
    expect(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 10);
  });
});

describe('near-duplicates', () => {
  /** Pairs planted at cosines just above and below the threshold, among random rows. */
  function planted(t: number): { m: EmbeddingMatrix; above: [number, number][] } {
    const dim = 512;
    const base = random(800, dim, 9);
    const g = gaussian(10);
    const rows = Float32Array.from(base.data);
    const above: [number, number][] = [];
    for (let p = 0; p < 100; p++) {
      const [i, j] = [p * 2, p * 2 + 1];
      // j = cos·i + sin·(unit noise orthogonal to i): cosine exactly `target`.
      const target = p % 2 === 0 ? t + 0.001 : t - 0.001;
      const x = rows.subarray(i * dim, (i + 1) * dim);
      const noise = Float32Array.from({ length: dim }, g);
      const along = noise.reduce((s, v, k) => s + v * (x[k] ?? 0), 0);
      const ortho = noise.map((v, k) => v - along * (x[k] ?? 0));
      const norm = Math.hypot(...ortho);
      const sin = Math.sqrt(1 - target * target);
      rows.set(
        x.map((v, k) => target * v + (sin * (ortho[k] ?? 0)) / norm),
        j * dim,
      );
      if (p % 2 === 0) above.push([i, j]);
    }
    return { m: unitMatrix(rows, dim), above };
  }

  it('the signature filter finds exactly the pairs an exhaustive check finds', () => {
    for (const t of [0.9, 0.97]) {
      const { m, above } = planted(t);
      const fast = nearPairs(m, t);
      const exact = nearPairs(m, t, { exhaustive: true });
      const key = (p: { a: Int32Array; b: Int32Array; count: number }) =>
        Array.from({ length: p.count }, (_, k) => `${p.a[k]}-${p.b[k]}`).sort();
      expect(key(fast)).toEqual(key(exact));
      expect(key(exact)).toEqual(above.map(([i, j]) => `${i}-${j}`).sort());
    }
  });

  it('groups around the most central photo; a chain is not merged; copies always group', () => {
    const dim = 4;
    // a ~ b ~ c at 0.96, a·c = 0.84: b has two neighbours and becomes the reference of all
    // three; d ~ e copies by hash (cosine 0.5 only); f alone.
    const ang = (deg: number) => [
      Math.cos((deg * Math.PI) / 180),
      Math.sin((deg * Math.PI) / 180),
      0,
      0,
    ];
    const rows = [
      ang(0),
      ang(16),
      ang(32),
      [0, 0, 1, 0],
      [0, 0, 0.5, Math.sqrt(0.75)],
      [0, 0, 0, -1],
    ];
    const m = unitMatrix(Float32Array.from(rows.flat()), dim);
    const groups = groupDuplicates(m, { minCosine: 0.95, hashes: ['a', 'b', 'c', 'd', 'd', 'f'] });
    expect(groups.map((g) => [g.reference, ...g.members.map((x) => x.index)])).toEqual([
      [1, 0, 2],
      [3, 4],
    ]);
    expect(groups[0]?.members[0]?.cosine).toBeCloseTo(Math.cos((16 * Math.PI) / 180), 6);
    // At 0.8 the chain's ends are close enough: one group of three still, b the reference.
    expect(groupDuplicates(m, { minCosine: 0.8 })[0]?.members).toHaveLength(2);
    // Without hashes d and e are not duplicates.
    expect(groupDuplicates(m, { minCosine: 0.95 })).toHaveLength(1);
  });

  it('every member is within the threshold of its reference (synthetic library)', () => {
    const m = syntheticLibrary(2000, 512, 2);
    const groups = groupDuplicates(m, { minCosine: 0.9 });
    expect(groups.length).toBeGreaterThan(10);
    const seen = new Set<number>();
    for (const g of groups) {
      for (const x of [g.reference, ...g.members.map((y) => y.index)]) {
        expect(seen.has(x)).toBe(false);
        seen.add(x);
      }
      for (const x of g.members) expect(x.cosine).toBeGreaterThanOrEqual(0.9);
    }
  });
  it('in steps, gives the event loop turns and the same groups', async () => {
    // The worker runs the grouping this way so it answers its supervisor's pings meanwhile.
    const m = syntheticLibrary(2000, 512, 2);
    let turns = 0;
    const stepped = await runStepsYielding(duplicateGroupSteps(m, { minCosine: 0.9 }), 0, () => {
      turns++;
      return new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(stepped).toEqual(groupDuplicates(m, { minCosine: 0.9 }));
    // One turn per 128 rows of the pair loop, and around the signatures.
    expect(turns).toBeGreaterThanOrEqual(2000 / 128);
  });
});

describe('.npy', () => {
  it('writes the header numpy.save writes, byte for byte', () => {
    const expected = (shape: string) =>
      `\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
    for (const [rows, cols] of [
      [3, 32],
      [0, 512],
      [10000, 512],
    ] as const) {
      const bytes = encodeNpy(new Float32Array(rows * cols), rows, cols);
      const header = String.fromCharCode(...bytes.subarray(0, 128));
      // numpy 2.2: 118-byte header (0x76 = "v"), spaces to 127, then "\n".
      expect(header.trimEnd()).toBe(expected(`(${rows}, ${cols})`));
      expect(header.endsWith(' \n')).toBe(true);
      expect(bytes.length).toBe(128 + rows * cols * 4);
    }
  });

  it('round-trips, and numpy.load reads it', () => {
    const data = Float32Array.from({ length: 3 * 5 }, (_, i) => i / 7 - 1);
    const bytes = encodeNpy(data, 3, 5);
    expect(decodeNpy(bytes)).toEqual({ rows: 3, cols: 5, data });
    expect(() => decodeNpy(bytes.subarray(0, 140))).toThrow(/bytes of data/);
    const file = join(mkdtempSync(join(tmpdir(), 'mumic-npy-')), 'e.npy');
    writeFileSync(file, bytes);
    let out: string;
    try {
      out = execFileSync('python3', [
        '-c',
        'import sys, json, numpy; a = numpy.load(sys.argv[1]); print(a.dtype, a.shape, json.dumps(a.ravel().tolist()))',
        file,
      ]).toString();
    } catch {
      console.log(
        'python3 with numpy is not installed: numpy.load not tried (header checked above)',
      );
      return;
    }
    const [dtype, shape, values] = /^(\S+) (\(.*?\)) (.*)$/.exec(out.trim())?.slice(1) ?? [];
    expect([dtype, shape]).toEqual(['float32', '(3, 5)']);
    expect(JSON.parse(values ?? '')).toEqual(Array.from(data));
  });
});
