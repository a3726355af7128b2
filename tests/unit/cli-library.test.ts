// Issue 11: `mumic index` / `search` / `similar` / `duplicates` on the fixture photos; orders are
// checked against cosines computed here from `mumic embed` and `mumic embed-text` output.
import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../src/core/library/npy.ts';
import { FIXTURE_DIR, cosine, fixtureImage } from '../fixture.ts';

const exec = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', 'bin', 'mumic.js');
const DTYPE = ['--dtype', 'fp32'];

async function mumic(
  ...args: string[]
): Promise<{ code: number; lines: unknown[]; stderr: string }> {
  const r = await exec(cli, args).then(
    (ok) => ({ ...ok, code: 0 }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  const lines =
    r.stdout.trim() === ''
      ? []
      : r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown);
  return { code: r.code, lines, stderr: r.stderr };
}

interface Ranked {
  file: string;
  cosine: number;
}

const photos = join(mkdtempSync(join(tmpdir(), 'mumic-lib-photos-')), 'photos');
const lib = join(mkdtempSync(join(tmpdir(), 'mumic-lib-')), 'LIB');
const names = ['astronaut.png', 'camera-gray.png', 'chelsea.jpg', 'chelsea-exif6.jpg', 'tiny.png'];
/** Embeddings by fixture image name, from `mumic embed`. */
const embedded = new Map<string, number[]>();

beforeAll(async () => {
  const all = [...names, 'tall-chelsea.jpg'];
  const { lines } = await mumic(
    'embed',
    '--model',
    FIXTURE_DIR,
    ...DTYPE,
    ...all.map(fixtureImage),
  );
  for (const line of lines as { file: string; embedding: number[] }[]) {
    embedded.set(line.file.split('/').pop() ?? '', line.embedding);
  }
}, 120_000);

const base = (file: string) => file.split('/').pop() ?? '';
const rows = () => {
  const jsonl = readFileSync(join(lib, 'photos.jsonl'), 'utf8').trim().split('\n');
  const records = jsonl.map((l) => JSON.parse(l) as { file: string; sha256: string; size: number });
  const { cols, data } = decodeNpy(readFileSync(join(lib, 'embeddings.npy')));
  return records.map((r, i) => ({
    ...r,
    embedding: Array.from(data.subarray(i * cols, (i + 1) * cols)),
  }));
};

it('indexes, searches, finds similar photos and duplicates, then re-indexes incrementally', async () => {
  mkdirSync(photos, { recursive: true });
  for (const name of names) copyFileSync(fixtureImage(name), join(photos, name));
  const first = await mumic('index', '--model', FIXTURE_DIR, ...DTYPE, '--index', lib, photos);
  expect(first.code, first.stderr).toBe(0);
  expect(first.lines.at(-1)).toMatchObject({
    photos: 5,
    encoded: 5,
    kept: 0,
    removed: 0,
    failed: 0,
  });
  expect(JSON.parse(readFileSync(join(lib, 'model.json'), 'utf8'))).toMatchObject({
    model: 'clip-tiny',
    dtype: 'fp32',
    dim: 32,
  });
  const before = rows();
  expect(before.map((r) => base(r.file))).toEqual([...names].sort());
  for (const r of before) {
    // Stored rows are the unit embeddings `mumic embed` prints.
    expect(Math.hypot(...r.embedding)).toBeCloseTo(1, 5);
    expect(cosine(r.embedding, embedded.get(base(r.file)) ?? [])).toBeGreaterThan(0.99999);
  }

  // search: "{}" makes the query embedding exactly embed-text's.
  const query = 'a cat on a sofa';
  const [text] = (await mumic('embed-text', '--model', FIXTURE_DIR, ...DTYPE, query)).lines as {
    embedding: number[];
  }[];
  const search = await mumic(
    'search',
    '--model',
    FIXTURE_DIR,
    '--index',
    lib,
    '--template',
    '{}',
    '--top',
    '9',
    query,
  );
  const [result] = search.lines as { query: string; results: Ranked[] }[];
  expect(result?.query).toBe(query);
  const expected = names
    .map((n) => ({ n, c: cosine(embedded.get(n) ?? [], text?.embedding ?? []) }))
    .sort((a, b) => b.c - a.c);
  expect(result?.results.map((r) => base(r.file))).toEqual(expected.map((e) => e.n));
  result?.results.forEach((r, i) => expect(r.cosine).toBeCloseTo(expected[i]?.c ?? 0, 5));

  // similar: a library photo (itself left out), and a new photo encoded with --model.
  const similar = await mumic('similar', '--index', lib, '--top', '9', join(photos, 'chelsea.jpg'));
  const outside = await mumic(
    'similar',
    '--index',
    lib,
    '--model',
    FIXTURE_DIR,
    fixtureImage('tall-chelsea.jpg'),
  );
  const noModel = await mumic('similar', '--index', lib, fixtureImage('tall-chelsea.jpg'));
  for (const [line, name, self] of [
    [similar.lines[0], 'chelsea.jpg', 'chelsea.jpg'],
    [outside.lines[0], 'tall-chelsea.jpg', undefined],
  ] as const) {
    const got = (line as { results: Ranked[] }).results;
    const want = names
      .filter((n) => n !== self)
      .map((n) => ({ n, c: cosine(embedded.get(n) ?? [], embedded.get(name) ?? []) }))
      .sort((a, b) => b.c - a.c);
    expect(got.map((r) => base(r.file))).toEqual(want.map((w) => w.n));
    got.forEach((r, i) => expect(r.cosine).toBeCloseTo(want[i]?.c ?? 0, 5));
  }
  expect(noModel.code).toBe(1);
  expect(noModel.lines[0]).toMatchObject({ error: { name: 'InvalidArgument' } });

  // duplicates: chelsea and its EXIF-rotated copy; at a low threshold, everything groups.
  writeFileSync(join(photos, 'copy-of-tiny.png'), readFileSync(fixtureImage('tiny.png')));
  const dup = await mumic('index', '--model', FIXTURE_DIR, '--index', lib, photos);
  expect(dup.lines.at(-1)).toMatchObject({ photos: 6, encoded: 0, kept: 6 });
  const groups = (await mumic('duplicates', '--index', lib, '--min-cosine', '0.999')).lines as {
    group: Ranked[];
  }[];
  expect(groups.map((g) => g.group.map((m) => base(m.file)).sort())).toEqual([
    ['chelsea-exif6.jpg', 'chelsea.jpg'],
    ['copy-of-tiny.png', 'tiny.png'],
  ]);
  for (const g of groups) expect(g.group[0]?.cosine).toBe(1);
  const loose = (await mumic('duplicates', '--index', lib, '--min-cosine=-1')).lines as {
    group: Ranked[];
  }[];
  expect(loose).toHaveLength(1);
  expect(loose[0]?.group).toHaveLength(6);

  // Incremental: add one, change one, delete one, plus a broken file.
  copyFileSync(fixtureImage('astronaut-rgba.png'), join(photos, 'added.png'));
  copyFileSync(fixtureImage('tall-chelsea.jpg'), join(photos, 'camera-gray.png'));
  utimesSync(join(photos, 'camera-gray.png'), new Date(), new Date(Date.now() + 5000));
  rmSync(join(photos, 'tiny.png'));
  writeFileSync(join(photos, 'broken.jpg'), 'not an image');
  const again = await mumic('index', '--model', FIXTURE_DIR, '--index', lib, photos);
  expect(again.code).toBe(1);
  expect(again.lines[0]).toMatchObject({
    file: join(photos, 'broken.jpg'),
    error: { name: 'UnsupportedImageFormat' },
  });
  expect(again.lines.at(-1)).toMatchObject({
    photos: 6,
    encoded: 2,
    changed: 1,
    removed: 1,
    failed: 1,
  });
  const after = rows();
  expect(after.map((r) => base(r.file))).toEqual([
    'added.png',
    'astronaut.png',
    'camera-gray.png',
    'chelsea-exif6.jpg',
    'chelsea.jpg',
    'copy-of-tiny.png',
  ]);
  const row = (list: typeof after, name: string) => list.find((r) => base(r.file) === name);
  // Unchanged rows are carried over bit for bit; the changed file has its new content's embedding.
  for (const name of ['astronaut.png', 'chelsea.jpg', 'chelsea-exif6.jpg']) {
    expect(row(after, name)?.embedding).toEqual(row(before, name)?.embedding);
  }
  expect(
    cosine(row(after, 'camera-gray.png')?.embedding ?? [], embedded.get('tall-chelsea.jpg') ?? []),
  ).toBeGreaterThan(0.99999);
  expect(row(after, 'camera-gray.png')?.sha256).not.toBe(row(before, 'camera-gray.png')?.sha256);

  // Another dtype is refused by name.
  const other = await mumic('search', '--model', FIXTURE_DIR, '--dtype', 'q8', '--index', lib, 'x');
  expect(other.code).toBe(2);
  expect(other.stderr).toMatch(/IndexMismatch/);
}, 300_000);

it('refuses a damaged library by name, and needs --index', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mumic-lib-bad-'));
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({ model: 'm', dtype: 'fp32', dim: 2, config_sha256: 'x' }),
  );
  writeFileSync(join(dir, 'photos.jsonl'), '{"file":"/a.jpg","sha256":"s","size":1,"mtime":1}\n');
  writeFileSync(join(dir, 'embeddings.npy'), encodeNpy(new Float32Array(4), 2, 2));
  const mismatch = await mumic('duplicates', '--index', dir);
  expect(mismatch.code).toBe(2);
  expect(mismatch.stderr).toMatch(/InvalidIndex: .*2 rows, photos.jsonl 1 lines/);
  writeFileSync(join(dir, 'embeddings.npy'), 'not numpy');
  expect((await mumic('similar', '--index', dir, '/a.jpg')).stderr).toMatch(/InvalidIndex/);
  expect((await mumic('duplicates')).stderr).toMatch(/InvalidArgument: --index LIB is required/);
}, 60_000);
