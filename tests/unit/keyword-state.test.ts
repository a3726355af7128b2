// The page's keywords of a photo: its sidecars' as it was added (from the folder opened then),
// and its embedded ones as the worker read them beside its hash (2bf21b0: the page no longer
// reads the file). A later result without them keeps what was read.
import { describe, expect, test } from 'vitest';
import type { KeywordsRead } from '../../src/core/xmp/embedded-keywords.ts';
import type { App } from '../../src/ui/app.ts';
import { KeywordState } from '../../src/ui/state/keyword-state.ts';
import { PhotoView } from '../../src/ui/state/photo-view.ts';

const sidecar = (subject: string) =>
  `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
  `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
  `<dc:subject><rdf:Bag><rdf:li>${subject}</rdf:li></rdf:Bag></dc:subject>` +
  `</rdf:Description></rdf:RDF></x:xmpmeta>`;

const embedded = (subject: string): KeywordsRead => ({
  keywords: { subject: [subject], hierarchicalSubject: [], tagsList: [], iptc: [], exif: [] },
});

function setup() {
  const folder = { sidecars: new Map([['a.jpg.xmp', sidecar('Pool')]]) };
  const app = { sidecars: { folder } } as unknown as App;
  const state = new KeywordState(app);
  const view = new PhotoView(1, 'a.jpg', 'a.jpg', 0, new File(['x'], 'a.jpg'));
  return { app, folder, state, view };
}

describe('KeywordState', () => {
  test("a photo's sidecar keywords are read as it is added, from the folder opened then", () => {
    const { app, state, view } = setup();
    state.photosAdded([view]);
    expect(state.of(view)?.leaves).toEqual(['Pool']);
    // Another folder opened while the photo is tagged: its sidecars are not this photo's.
    (app as { sidecars: unknown }).sidecars = {
      folder: { sidecars: new Map([['a.jpg.xmp', sidecar('Beach')]]) },
    };
    state.read(view, embedded('Cat'));
    expect(state.of(view)?.leaves.sort()).toEqual(['Cat', 'Pool']);
  });

  test('a result without embedded keywords keeps those read before', () => {
    const { state, view } = setup();
    state.photosAdded([view]);
    state.read(view, embedded('Cat'));
    state.read(view, undefined); // sent again, its file no longer readable
    expect(state.of(view)?.leaves.sort()).toEqual(['Cat', 'Pool']);
  });

  test("unreadable embedded metadata is the photo's keyword error; its sidecars still count", () => {
    const { state, view } = setup();
    state.photosAdded([view]);
    state.read(view, { error: { name: 'MetadataUnreadable', message: 'a.jpg: bad IPTC' } });
    expect(state.of(view)).toEqual({
      leaves: ['Pool'],
      error: { name: 'MetadataUnreadable', message: 'a.jpg: bad IPTC' },
    });
  });
});
