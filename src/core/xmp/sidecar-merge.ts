/**
 * Creating and merging XMP sidecars. A merge changes only keyword list items and mumic's own
 * record; everything else in the file (other namespaces, properties, comments, formatting) is kept
 * byte for byte, because changes are spliced into the original text.
 *
 * Rules per list (dc:subject, lr:hierarchicalSubject, digiKam:TagsList):
 * - a keyword already present (case-insensitively) is never added twice;
 * - only keywords in mumic's record (mumic:<field>) are ever removed, when no longer wanted;
 * - a keyword mumic wrote and the person removed since is not written again while still wanted;
 * - a list or rdf:Description that held only what mumic wrote disappears with it.
 */
import {
  KEYWORD_FIELDS,
  KEYWORD_PROPERTIES,
  RECORD_PROPERTIES,
  RDF_NS,
  emptyLists,
  type KeywordField,
  type KeywordLists,
  type PropertySpec,
} from './namespaces.ts';
import { keywordKey, uniqueKeywords } from './keyword-paths.ts';
import { readSidecarDocument, type SidecarDocument } from './sidecar-document.ts';
import {
  applyEdits,
  containerText,
  descriptionText,
  indentOf,
  itemText,
  propertyText,
  type Edit,
} from './sidecar-text.ts';
import { leadingSpaceStart, type XmlElement } from './xml-tree.ts';

/** What writing `wanted` into a sidecar means. */
export interface SidecarPlan {
  /** The sidecar's new text ('' when there was none and none is needed). */
  readonly text: string;
  /** No sidecar existed. */
  readonly created: boolean;
  /** The text differs from the existing one (false: nothing to write). */
  readonly changed: boolean;
  readonly added: KeywordLists;
  readonly removed: KeywordLists;
}

/** An empty sidecar in the layout exiftool and Lightroom use; new sidecars are merges into it. */
export const EMPTY_SIDECAR = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="mumic">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`;

/**
 * Plans the sidecar holding mumic's keywords `wanted` (see labelKeywords): merged into `existing`
 * (the current text, or null when there is none). Throws SidecarMalformed naming `fileName`.
 */
export function planSidecar(
  existing: string | null,
  wanted: KeywordLists,
  fileName: string,
): SidecarPlan {
  if (existing === null && KEYWORD_FIELDS.every((f) => wanted[f].length === 0)) {
    // Nothing to say: no sidecar is created.
    return { text: '', created: false, changed: false, added: emptyLists(), removed: emptyLists() };
  }
  const doc = readSidecarDocument(existing ?? EMPTY_SIDECAR, fileName);
  const added = emptyLists();
  const removed = emptyLists();
  const dropItems = new Set<XmlElement>();
  const inserts: Edit[] = [];
  const newProperties: { spec: PropertySpec; values: string[] }[] = [];
  const records = new Map<KeywordField, string[]>();
  for (const field of KEYWORD_FIELDS) {
    const list = doc.lists[field];
    const recorded = doc.records[field].items.map((i) => i.value);
    const writtenKeys = new Set(recorded.map(keywordKey));
    const want = uniqueKeywords(wanted[field]);
    const wantKeys = new Set(want.map(keywordKey));
    const drop = list.items.filter(
      (i) => writtenKeys.has(keywordKey(i.value)) && !wantKeys.has(keywordKey(i.value)),
    );
    const keptKeys = new Set(
      list.items.filter((i) => !drop.includes(i)).map((i) => keywordKey(i.value)),
    );
    const add = want.filter((w) => !keptKeys.has(keywordKey(w)) && !writtenKeys.has(keywordKey(w)));
    for (const i of drop) dropItems.add(i.element);
    removed[field] = drop.map((i) => i.value);
    added[field] = add;
    const record = want.filter((w) => writtenKeys.has(keywordKey(w)) || add.includes(w));
    if (!sameList(record, recorded)) records.set(field, record);
    if (add.length === 0) continue;
    const first = list.properties[0];
    if (first) inserts.push(insertItems(doc.text, first.container, add, dropItems));
    else newProperties.push({ spec: KEYWORD_PROPERTIES[field], values: add });
  }
  const edits = removals(doc, dropItems, records, inserts);
  for (const [field, values] of records) {
    const spec = RECORD_PROPERTIES[field];
    const first = doc.records[field].properties[0];
    if (values.length === 0) continue;
    if (first) {
      const indent = indentOf(doc.text, first.property.start);
      edits.push({
        start: first.property.start,
        end: first.property.end,
        text: propertyText(spec, values, indent, first.property.prefix, doc.rdf.prefix),
      });
    } else newProperties.push({ spec, values });
  }
  if (newProperties.length > 0) edits.push(newDescription(doc, newProperties));
  // New parts follow the file's line endings (the builder writes \n).
  const crlf = doc.text.includes('\r\n');
  const all = [...edits, ...inserts].map((e) =>
    crlf ? { ...e, text: e.text.replace(/\r?\n/g, '\r\n') } : e,
  );
  const text = applyEdits(doc.text, all);
  return {
    text,
    created: existing === null,
    changed: existing === null || text !== existing,
    added,
    removed,
  };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** New items go after the container's last kept item, indented like its items. */
function insertItems(
  text: string,
  container: XmlElement,
  values: readonly string[],
  dropped: ReadonlySet<XmlElement>,
): Edit {
  if (container.selfClosing) {
    const indent = indentOf(text, container.start);
    return {
      start: container.start,
      end: container.end,
      text: containerText(container.qname, container.prefix, values, indent),
    };
  }
  const items = container.children;
  const kept = items.filter((i) => !dropped.has(i));
  const anchor = kept[kept.length - 1]?.end ?? container.openEnd;
  const sample = items[items.length - 1];
  const lead = sample
    ? text.slice(leadingSpaceStart(text, sample.start), sample.start)
    : `\n${indentOf(text, container.start)} `;
  const inserted = values.map((v) => lead + itemText(container.prefix, v)).join('');
  return { start: anchor, end: anchor, text: inserted };
}

/**
 * Removal edits: dropped items; lists left empty by them (when nothing is added there); mumic's
 * record lists being rewritten; and descriptions that held nothing else.
 */
function removals(
  doc: SidecarDocument,
  dropItems: ReadonlySet<XmlElement>,
  records: ReadonlyMap<KeywordField, string[]>,
  inserts: readonly Edit[],
): Edit[] {
  const gone = new Set<XmlElement>();
  for (const field of KEYWORD_FIELDS) {
    for (const { property, container } of doc.lists[field].properties) {
      const items = container.children;
      const receives = inserts.some((e) => e.start >= container.start && e.end <= container.end);
      if (items.length > 0 && items.every((i) => dropItems.has(i)) && !receives) {
        gone.add(property);
      }
    }
    const rewritten = records.get(field);
    doc.records[field].properties.forEach(({ property }, i) => {
      // The first record list is rewritten in place when it still has values.
      if (rewritten && (i > 0 || rewritten.length === 0)) gone.add(property);
    });
  }
  const edits: Edit[] = [];
  const remove = (e: XmlElement) =>
    edits.push({ start: leadingSpaceStart(doc.text, e.start), end: e.end, text: '' });
  for (const d of doc.descriptions) {
    const onlyAbout = d.attributes.every((a) => a.uri === RDF_NS && a.local === 'about');
    const emptied = d.children.length > 0 && d.children.every((c) => gone.has(c));
    if (emptied && onlyAbout && d.text.trim() === '') {
      remove(d);
      continue;
    }
    for (const property of d.children) {
      if (gone.has(property)) remove(property);
      else {
        const container = property.children[0];
        for (const item of container?.children ?? []) if (dropItems.has(item)) remove(item);
      }
    }
  }
  return edits;
}

/** A new rdf:Description with the lists that did not exist, at the end of rdf:RDF. */
function newDescription(
  doc: SidecarDocument,
  properties: readonly { spec: PropertySpec; values: string[] }[],
): Edit {
  const last = doc.rdf.children[doc.rdf.children.length - 1];
  const at = last?.end ?? doc.rdf.openEnd;
  const lead = last
    ? doc.text.slice(leadingSpaceStart(doc.text, last.start), last.start)
    : `\n${indentOf(doc.text, doc.rdf.start)} `;
  const indent = lead.slice(lead.lastIndexOf('\n') + 1);
  return {
    start: at,
    end: at,
    text: lead + descriptionText(doc.rdf.prefix, doc.about, properties, indent),
  };
}
