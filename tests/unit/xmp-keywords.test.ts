// Issue 15: keywords to labels, complete labels and the answers they give; odd but valid XMP.
import { describe, expect, it } from 'vitest';
import { MumicError } from '../../src/core/errors.ts';
import { makeLabel, type Label } from '../../src/core/labels/index.ts';
import {
  keywordFeedback,
  labelKeywords,
  matchKeywords,
  parseCompleteLabels,
  photoKeywordLeaves,
  planSidecar,
  readSidecarKeywords,
} from '../../src/core/xmp/index.ts';

const labels = ['Sea view', 'Pool', 'Bathtub'].map((name) => makeLabel({ name }));
const [seaView, pool] = labels as [Label, Label, Label];

describe('keywords to labels', () => {
  it('matches leaves by name, case-insensitively, and lists the rest', () => {
    const leaves = photoKeywordLeaves(
      {
        subject: ['POOL'],
        hierarchicalSubject: ['Views|Sea View'],
        tagsList: [],
        iptc: ['Dog'],
        exif: [],
      },
      [{ subject: ['pool', 'Bathtub'], hierarchicalSubject: [], tagsList: ['A/B/dog'] }],
    );
    expect(leaves).toEqual(['POOL', 'Sea View', 'Dog', 'Bathtub']);
    expect(matchKeywords(leaves, labels)).toEqual({
      labelIds: ['sea-view', 'pool', 'bathtub'],
      unknown: ['Dog'],
    });
  });

  it('declares labels complete by name or id, or all, and refuses unknown ones', () => {
    expect(parseCompleteLabels('all', labels)).toEqual(new Set(['sea-view', 'pool', 'bathtub']));
    expect(parseCompleteLabels('# mine\nsea view\n\npool\n', labels)).toEqual(
      new Set(['sea-view', 'pool']),
    );
    let error: unknown;
    try {
      parseCompleteLabels('Pool\nGarage', labels);
    } catch (e) {
      error = e;
    }
    expect((error as MumicError).name).toBe('InvalidArgument');
    expect((error as MumicError).message).toContain('line 2');
  });

  it('gives a yes per keyword and a no only for complete labels', () => {
    const feedback = keywordFeedback([['pool'], ['sea-view', 'bathtub']], new Set(['pool']));
    expect(feedback).toEqual([
      { photo: 0, label: 'pool', value: 1 },
      { photo: 1, label: 'sea-view', value: 1 },
      { photo: 1, label: 'bathtub', value: 1 },
      { photo: 1, label: 'pool', value: -1 },
    ]);
  });
});

describe('valid XMP in other shapes', () => {
  const wrap = (body: string) => `<?xml version="1.0"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="a>b">${body}</rdf:Description>
</rdf:RDF></x:xmpmeta>`;

  it('fills a self-closing list and reads CDATA and comments inside lists', () => {
    const empty = wrap('<dc:subject><rdf:Bag/></dc:subject>');
    const filled = planSidecar(empty, labelKeywords([pool]), 'a.xmp');
    expect(readSidecarKeywords(filled.text, 'a.xmp').mumic.subject).toEqual(['Pool']);
    expect(filled.text).toContain('dc:format="a>b"');
    const odd = wrap(
      '<dc:subject><rdf:Bag><!-- c --><rdf:li><![CDATA[R&D <lab>]]></rdf:li><rdf:li>x &#233;</rdf:li></rdf:Bag></dc:subject>',
    );
    expect(readSidecarKeywords(odd, 'a.xmp').keywords.subject).toEqual(['R&D <lab>', 'x é']);
    const merged = planSidecar(odd, labelKeywords([seaView]), 'a.xmp');
    expect(merged.text).toContain('<!-- c --><rdf:li><![CDATA[R&D <lab>]]></rdf:li>');
    expect(readSidecarKeywords(merged.text, 'a.xmp').keywords.subject).toEqual([
      'R&D <lab>',
      'x é',
    ]);
  });
});
