// Issue 15: merging mumic's keywords into XMP sidecars keeps everything else byte for byte,
// removes only what mumic wrote, and never duplicates on a re-run.
import { describe, expect, it } from 'vitest';
import {
  EMPTY_SIDECAR,
  labelKeywords,
  planSidecar,
  readSidecarKeywords,
  sidecarName,
  sidecarNames,
} from '../../src/core/xmp/index.ts';
import { MumicError } from '../../src/core/errors.ts';

const label = (name: string, category = 'Rooms') => ({ name, category });
const want = (...names: string[]) => labelKeywords(names.map((n) => label(n)));

// A Lightroom-style sidecar: attribute shorthand, a comment, another tool's keywords.
const LIGHTROOM = `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <!-- kept as is -->
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
   xmp:Rating="4">
   <dc:subject>
    <rdf:Bag>
     <rdf:li>pool</rdf:li>
     <rdf:li>Holiday &amp; Sun</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Places|Holiday &amp; Sun</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;

describe('planSidecar', () => {
  it('creates a sidecar with the three lists and its record', () => {
    const plan = planSidecar(null, want('Kitchen', 'Bath <tub>'), 'a.jpg.xmp');
    expect(plan.created && plan.changed).toBe(true);
    const read = readSidecarKeywords(plan.text, 'a.jpg.xmp');
    expect(read.keywords).toEqual({ subject: [], hierarchicalSubject: [], tagsList: [] });
    expect(read.mumic).toEqual({
      subject: ['Kitchen', 'Bath <tub>'],
      hierarchicalSubject: ['mumic|Rooms|Kitchen', 'mumic|Rooms|Bath <tub>'],
      tagsList: ['mumic/Rooms/Kitchen', 'mumic/Rooms/Bath <tub>'],
    });
    expect(plan.text).toContain('<rdf:li>Bath &lt;tub&gt;</rdf:li>');
  });

  it('keeps every other byte, adds once, and a run without labels restores the file', () => {
    const first = planSidecar(LIGHTROOM, want('Pool', 'Kitchen'), 'a.xmp');
    // "Pool" is already there as "pool" (the person's): not added, and not mumic's to remove.
    expect(first.added.subject).toEqual(['Kitchen']);
    expect(first.text).toContain('xmp:Rating="4"');
    expect(first.text).toContain('<!-- kept as is -->');
    expect(first.text.startsWith(LIGHTROOM.slice(0, LIGHTROOM.indexOf('</rdf:Bag>')))).toBe(true);
    const again = planSidecar(first.text, want('Pool', 'Kitchen'), 'a.xmp');
    expect(again.changed).toBe(false);
    expect(again.text).toBe(first.text);
    const emptied = planSidecar(first.text, want(), 'a.xmp');
    expect(emptied.removed.subject).toEqual(['Kitchen']);
    expect(emptied.text).toBe(LIGHTROOM);
  });

  it('updates only what it wrote: the person’s keywords stay, even under the mumic root', () => {
    const person = planSidecar(LIGHTROOM, want(), 'a.xmp').text;
    const first = planSidecar(person, want('Kitchen', 'Sofa'), 'a.xmp');
    // The person adds a keyword under mumic's root by hand: it is theirs.
    const edited = first.text.replace(
      '<rdf:li>Places|Holiday &amp; Sun</rdf:li>',
      '<rdf:li>Places|Holiday &amp; Sun</rdf:li>\n     <rdf:li>mumic|Rooms|Attic</rdf:li>',
    );
    const second = planSidecar(edited, want('Sofa', 'Garden'), 'a.xmp');
    const read = readSidecarKeywords(second.text, 'a.xmp');
    expect(read.keywords.subject).toEqual(['pool', 'Holiday & Sun']);
    expect(read.keywords.hierarchicalSubject).toEqual([
      'Places|Holiday & Sun',
      'mumic|Rooms|Attic',
    ]);
    expect(read.mumic.subject).toEqual(['Sofa', 'Garden']);
    expect(second.removed.subject).toEqual(['Kitchen']);
    expect(second.added.subject).toEqual(['Garden']);
  });

  it('does not write again a keyword of its own that the person removed', () => {
    const first = planSidecar(null, want('Kitchen', 'Sofa'), 'a.xmp').text;
    const removed = first.replace(/\n\s*<rdf:li>Sofa<\/rdf:li>/, '');
    const second = planSidecar(removed, want('Kitchen', 'Sofa'), 'a.xmp');
    expect(second.added.subject).toEqual([]);
    expect(readSidecarKeywords(second.text, 'a.xmp').keywords.subject).toEqual([]);
    expect(readSidecarKeywords(second.text, 'a.xmp').mumic.subject).toEqual(['Kitchen']);
  });

  it('uses the document’s own prefixes', () => {
    const text = EMPTY_SIDECAR.replaceAll('rdf:', 'R:').replace('xmlns:rdf=', 'xmlns:R=');
    const plan = planSidecar(text, want('Kitchen'), 'a.xmp');
    expect(plan.text).toContain('<R:Description R:about=""');
    expect(readSidecarKeywords(plan.text, 'a.xmp').mumic.subject).toEqual(['Kitchen']);
  });

  it('keeps a byte-order mark and CRLF line endings', () => {
    const text = `\uFEFF${LIGHTROOM.replaceAll('\n', '\r\n')}`;
    const plan = planSidecar(text, want('Kitchen', 'Sofa'), 'a.xmp');
    expect(plan.text.startsWith('\uFEFF<x:xmpmeta')).toBe(true);
    expect(plan.text.replaceAll('\r\n', '')).not.toContain('\n');
    expect(planSidecar(plan.text, want(), 'a.xmp').text).toBe(text);
  });

  it('names the file of a malformed sidecar', () => {
    const cases = [
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>',
      'not xml at all',
      '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>',
      LIGHTROOM.replace('<rdf:Bag>\n     <rdf:li>pool</rdf:li>', '<rdf:Bag>\n     <rdf:li>pool'),
      LIGHTROOM.replace(/<dc:subject>[\s\S]*<\/dc:subject>/, '<dc:subject>pool</dc:subject>'),
    ];
    for (const text of cases) {
      let error: unknown;
      try {
        planSidecar(text, want('Kitchen'), 'photos/a.jpg.xmp');
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(MumicError);
      expect((error as MumicError).name).toBe('SidecarMalformed');
      expect((error as MumicError).message).toContain('photos/a.jpg.xmp');
    }
  });
});

describe('keyword paths and sidecar names', () => {
  it('builds hierarchies under a root, or none', () => {
    const labels = [label('Washer/dryer', 'Kitchen|Laundry')];
    expect(labelKeywords(labels, 'tags')).toEqual({
      subject: ['Washer/dryer'],
      hierarchicalSubject: ['tags|Kitchen Laundry|Washer/dryer'],
      tagsList: ['tags/Kitchen|Laundry/Washer dryer'],
    });
    expect(labelKeywords([label('Sofa')], '').hierarchicalSubject).toEqual(['Rooms|Sofa']);
  });

  it('names sidecars NAME.EXT.xmp or NAME.xmp', () => {
    expect(sidecarName('dir/a.b.jpg')).toBe('dir/a.b.jpg.xmp');
    expect(sidecarName('dir/a.b.jpg', 'base')).toBe('dir/a.b.xmp');
    expect(sidecarName('dir.x/noext', 'base')).toBe('dir.x/noext.xmp');
    expect(sidecarNames('a.jpg')).toEqual(['a.jpg.xmp', 'a.xmp']);
  });
});
