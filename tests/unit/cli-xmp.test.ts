// Issue 15: `mumic classify --xmp` writes sidecars that exiftool reads, merges without losing or
// duplicating anything, fails per file by name; `--truth-from keywords` equals the truth CSV.
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { exiftool, readTags } from '../exiftool.ts';
import { FIXTURE_DIR, fixtureImage } from '../fixture.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', 'bin', 'mumic.js');
const root = mkdtempSync(join(tmpdir(), 'mumic-cli-xmp-'));
const labels = join(root, 'labels.txt');
writeFileSync(labels, 'Animals: Cat\nRooms: Sofa\nOutdoor: Pool\n');
const MODEL = ['--model', FIXTURE_DIR, '--dtype', 'fp32', '--labels', labels];

interface Line {
  file: string;
  labels?: { label: string }[];
  xmp?: { file: string; action?: string; added?: string[]; error?: { name: string } };
}

/** Runs the CLI; a non-zero exit is returned, not thrown. */
async function mumic(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(cli, args, { maxBuffer: 1 << 24 });
    return { code: 0, stdout };
  } catch (e) {
    const failure = e as { code: number; stdout: string; stderr: string };
    if (typeof failure.code !== 'number') throw e;
    return { code: failure.code, stdout: failure.stdout };
  }
}

const lines = (stdout: string) =>
  new Map(
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line)
      .map((l) => [l.file.slice(l.file.lastIndexOf('/') + 1), l]),
  );

/**
 * Makes d.png's sidecar unwritable: its folder read-only (chmod, or chattr +i for root, whom
 * chmod does not stop), else, where chattr is not allowed, a folder in the sidecar's place.
 */
function lock(dir: string): () => void {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o755);
  }
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return () => execFileSync('chattr', ['-i', dir]);
  } catch {
    mkdirSync(join(dir, 'd.png.xmp', 'inside'), { recursive: true });
    return () => undefined;
  }
}

const photos = join(root, 'photos');
mkdirSync(join(photos, 'locked'), { recursive: true });
copyFileSync(fixtureImage('chelsea.jpg'), join(photos, 'a.jpg'));
copyFileSync(fixtureImage('astronaut.png'), join(photos, 'b.png'));
copyFileSync(fixtureImage('tiny.png'), join(photos, 'c.png'));
copyFileSync(fixtureImage('camera-gray.png'), join(photos, 'locked', 'd.png'));
exiftool([
  '-o',
  join(photos, 'a.jpg.xmp'),
  '-XMP-xmp:Rating=4',
  '-XMP-dc:Title=Mine',
  '-XMP-dc:Subject=cat',
  '-XMP-dc:Subject=Holiday',
  join(photos, 'a.jpg'),
]);
const MALFORMED = '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="x">';
writeFileSync(join(photos, 'c.png.xmp'), MALFORMED);
const unlock = lock(join(photos, 'locked'));
afterAll(() => unlock());

it(
  'writes sidecars beside the photos, fails alone by name, and re-runs change nothing',
  {
    timeout: 240_000,
  },
  async () => {
    const photoBytes = readFileSync(join(photos, 'a.jpg'));
    const first = await mumic(['classify', ...MODEL, '--xmp', '--threshold', '0', photos]);
    expect(first.code).toBe(1);
    const out = lines(first.stdout);
    expect(out.get('a.jpg')?.xmp?.action).toBe('updated');
    // "cat" was the person's already: kept, not duplicated as "Cat".
    expect(out.get('a.jpg')?.xmp?.added?.sort()).toEqual(['Pool', 'Sofa']);
    expect(out.get('b.png')?.xmp).toMatchObject({ action: 'created' });
    expect(out.get('c.png')?.xmp?.error?.name).toBe('SidecarMalformed');
    expect(out.get('d.png')?.xmp?.error?.name).toBe('SidecarUnwritable');
    expect(out.size).toBe(4); // the .xmp files are not taken for photos
    expect(readFileSync(join(photos, 'c.png.xmp'), 'utf8')).toBe(MALFORMED);
    expect(readFileSync(join(photos, 'a.jpg')).equals(photoBytes)).toBe(true);

    const a = readTags(join(photos, 'a.jpg.xmp'), [
      'XMP-dc:Subject',
      'XMP-lr:HierarchicalSubject',
      'XMP-digiKam:TagsList',
      'XMP-xmp:Rating',
      'XMP-dc:Title',
    ]);
    expect(a).toEqual({
      'XMP-dc:Subject': ['cat', 'Holiday', ...(out.get('a.jpg')?.xmp?.added ?? [])],
      'XMP-lr:HierarchicalSubject': expect.arrayContaining([
        'mumic|Animals|Cat',
        'mumic|Rooms|Sofa',
        'mumic|Outdoor|Pool',
      ]),
      'XMP-digiKam:TagsList': expect.arrayContaining(['mumic/Rooms/Sofa']),
      'XMP-xmp:Rating': ['4'],
      'XMP-dc:Title': ['Mine'],
    });
    const sidecars = ['a.jpg.xmp', 'b.png.xmp'].map((f) => readFileSync(join(photos, f), 'utf8'));

    const again = await mumic(['classify', ...MODEL, '--xmp', '--threshold', '0', photos]);
    expect(lines(again.stdout).get('b.png')?.xmp?.action).toBe('unchanged');
    expect(['a.jpg.xmp', 'b.png.xmp'].map((f) => readFileSync(join(photos, f), 'utf8'))).toEqual(
      sidecars,
    );

    // A dry run at a threshold nothing passes: every keyword of mumic's would go, none does.
    const dry = await mumic([
      'classify',
      ...MODEL,
      '--xmp',
      '--dry-run',
      '--threshold',
      '1',
      photos,
    ]);
    const dryA = lines(dry.stdout).get('a.jpg')?.xmp as { removed?: string[] } | undefined;
    expect(dryA?.removed?.sort()).toEqual(['Pool', 'Sofa']);
    expect(readFileSync(join(photos, 'a.jpg.xmp'), 'utf8')).toBe(sidecars[0]);
  },
);

it(
  'eval and adapt --truth-from keywords equal the equivalent truth CSV',
  {
    timeout: 240_000,
  },
  async () => {
    const dir = join(root, 'truth');
    mkdirSync(dir);
    const files = ['chelsea.jpg', 'astronaut.png', 'camera-gray.png', 'tall-chelsea.jpg'];
    for (const f of files) copyFileSync(fixtureImage(f), join(dir, f));
    exiftool([
      '-overwrite_original',
      '-IPTC:Keywords=cat',
      '-IPTC:Keywords=Sofa',
      join(dir, files[0] ?? ''),
    ]);
    exiftool([
      '-overwrite_original',
      '-XMP-lr:HierarchicalSubject=Things|Pool',
      join(dir, files[1] ?? ''),
    ]);
    exiftool([
      '-o',
      join(dir, 'camera-gray.xmp'),
      '-XMP-dc:Subject=SOFA',
      '-XMP-dc:Subject=Tripod',
      join(dir, files[2] ?? ''),
    ]);
    const csv = join(root, 'truth.csv');
    writeFileSync(
      csv,
      'file,labels\ntruth/chelsea.jpg,Cat;Sofa\ntruth/astronaut.png,Pool\ntruth/camera-gray.png,Sofa\n',
    );
    const metrics = (stdout: string) => {
      const {
        photos: n,
        positives,
        per_label_AP,
        ...rest
      } = JSON.parse(stdout) as Record<string, unknown>;
      return {
        n,
        positives,
        per_label_AP,
        gap: rest['GAP'],
        gap10: rest['GAP@10'],
        map: rest['macro_mAP'],
      };
    };
    const fromCsv = await mumic(['eval', ...MODEL, '--truth', csv]);
    const fromKeywords = await mumic([
      'eval',
      ...MODEL,
      '--truth-from',
      'keywords',
      '--complete-labels',
      'all',
      dir,
    ]);
    expect(fromKeywords.code).toBe(0);
    expect(metrics(fromKeywords.stdout)).toEqual(metrics(fromCsv.stdout));
    expect(metrics(fromKeywords.stdout).n).toBe(3);
    expect(JSON.parse(fromKeywords.stdout)).toMatchObject({
      photos_without_keywords: 1,
      unknown_keywords: { Tripod: 1 },
    });
    const adapted = async (truth: string[]) => {
      const { stdout } = await mumic([
        'adapt',
        ...MODEL,
        '--no-residual',
        '--out',
        join(root, 'head.json'),
        ...truth,
      ]);
      return (JSON.parse(stdout) as { evaluation: unknown }).evaluation;
    };
    const keywordsAdapt = await adapted([
      '--truth-from',
      'keywords',
      '--complete-labels',
      'all',
      dir,
    ]);
    expect(keywordsAdapt).toEqual(await adapted(['--truth', csv]));
  },
);
