// Issue 15: exiftool, an independent reader and writer, agrees with mumic's sidecars and keywords.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  labelKeywords,
  photoKeywordLeaves,
  planSidecar,
  readEmbeddedKeywords,
  readSidecarKeywords,
} from '../../src/core/xmp/index.ts';
import { exiftool, readTags } from '../exiftool.ts';
import { fixtureImage } from '../fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'mumic-xmp-'));
const LISTS = ['XMP-dc:Subject', 'XMP-lr:HierarchicalSubject', 'XMP-digiKam:TagsList'];
const labels = [
  { name: 'Pool & spa', category: 'Outdoor' },
  { name: 'Sea view', category: 'Views' },
  { name: '2019', category: 'Years' },
];

it('exiftool reads the three keyword lists of a new sidecar exactly', () => {
  const file = join(dir, 'new.jpg.xmp');
  writeFileSync(file, planSidecar(null, labelKeywords(labels), file).text);
  expect(readTags(file, LISTS)).toEqual({
    'XMP-dc:Subject': ['Pool & spa', 'Sea view', '2019'],
    'XMP-lr:HierarchicalSubject': [
      'mumic|Outdoor|Pool & spa',
      'mumic|Views|Sea view',
      'mumic|Years|2019',
    ],
    'XMP-digiKam:TagsList': [
      'mumic/Outdoor/Pool & spa',
      'mumic/Views/Sea view',
      'mumic/Years/2019',
    ],
  });
});

it('keeps what exiftool wrote (rating, title, keywords) after merging, and re-runs are no-ops', () => {
  const photo = join(dir, 'rated.jpg');
  copyFileSync(fixtureImage('chelsea.jpg'), photo);
  const file = `${photo}.xmp`;
  exiftool([
    '-o',
    file,
    '-XMP-xmp:Rating=3',
    '-XMP-dc:Title=Cat on a chair',
    '-XMP-dc:Subject=Cat',
    '-XMP-dc:Subject=sea view',
    '-XMP-lr:HierarchicalSubject=Animals|Cat',
    '-XMP-digiKam:TagsList=Animals/Cat',
    '-XMP-photoshop:City=Lisbon',
    photo,
  ]);
  const before = readTags(file, ['all']);
  const merged = planSidecar(readFileSync(file, 'utf8'), labelKeywords(labels), file);
  writeFileSync(file, merged.text);
  const after = readTags(file, ['all']);
  for (const [tag, value] of Object.entries(before)) {
    if (!LISTS.includes(tag) && tag !== 'System:FileSize' && !tag.startsWith('System:File')) {
      expect(after[tag], tag).toEqual(value);
    }
  }
  expect(after['XMP-dc:Subject']).toEqual(['Cat', 'sea view', 'Pool & spa', '2019']);
  expect(after['XMP-lr:HierarchicalSubject']).toEqual([
    'Animals|Cat',
    'mumic|Outdoor|Pool & spa',
    'mumic|Views|Sea view',
    'mumic|Years|2019',
  ]);
  expect(after['XMP-digiKam:TagsList']?.[0]).toBe('Animals/Cat');
  expect(after['XMP-xmp:Rating']).toEqual(['3']);
  expect(after['XMP-dc:Title']).toEqual(['Cat on a chair']);
  expect(planSidecar(merged.text, labelKeywords(labels), file).changed).toBe(false);
  // exiftool still edits the merged file, and mumic then reads the person's keyword apart.
  exiftool(['-overwrite_original', '-XMP-dc:Subject+=Garden', file]);
  const read = readSidecarKeywords(readFileSync(file, 'utf8'), file);
  expect(read.keywords.subject).toEqual(['Cat', 'sea view', 'Garden']);
  expect(read.mumic.subject).toEqual(['Pool & spa', '2019']);
});

it('reads the keywords exiftool embeds as IPTC, XMP and EXIF', async () => {
  const jpeg = join(dir, 'embedded.jpg');
  const png = join(dir, 'embedded.png');
  copyFileSync(fixtureImage('chelsea.jpg'), jpeg);
  copyFileSync(fixtureImage('astronaut.png'), png);
  exiftool([
    '-overwrite_original',
    '-IPTC:Keywords=Sofa',
    '-IPTC:Keywords=Café',
    '-XMP-dc:Subject=Pool',
    '-XMP-lr:HierarchicalSubject=Rooms|Kitchen',
    '-XMP-digiKam:TagsList=Rooms/Bath',
    '-EXIF:XPKeywords=Balcony;Garden',
    '-charset',
    'iptc=UTF8',
    '-IPTC:CodedCharacterSet=UTF8',
    jpeg,
  ]);
  exiftool(['-overwrite_original', '-XMP-dc:Subject=Moon', '-XMP-dc:Subject=Flag', png]);
  const fromJpeg = await readEmbeddedKeywords(readFileSync(jpeg), jpeg);
  expect(fromJpeg).toEqual({
    subject: ['Pool'],
    hierarchicalSubject: ['Rooms|Kitchen'],
    tagsList: ['Rooms/Bath'],
    iptc: ['Sofa', 'Café'],
    exif: ['Balcony', 'Garden'],
  });
  expect(photoKeywordLeaves(fromJpeg, [])).toEqual([
    'Pool',
    'Kitchen',
    'Bath',
    'Sofa',
    'Café',
    'Balcony',
    'Garden',
  ]);
  expect((await readEmbeddedKeywords(readFileSync(png), png)).subject).toEqual(['Moon', 'Flag']);
});
