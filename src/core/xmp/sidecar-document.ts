/**
 * Reads an XMP sidecar into what merging needs: its rdf:RDF, its rdf:Descriptions, and for each
 * keyword field the list items (with their offsets) and mumic's record of what it wrote.
 */
import { MumicError } from '../errors.ts';
import {
  KEYWORD_FIELDS,
  KEYWORD_PROPERTIES,
  RDF_NS,
  RECORD_PROPERTIES,
  type KeywordField,
  type KeywordLists,
  type PropertySpec,
} from './namespaces.ts';
import { XmlSyntaxError, findElement, parseXmlTree, type XmlElement } from './xml-tree.ts';

export interface ListItem {
  readonly value: string;
  readonly element: XmlElement;
}

/** Every occurrence of one list property (XMP allows it once; a damaged file may repeat it). */
export interface PropertyList {
  readonly properties: { property: XmlElement; container: XmlElement }[];
  readonly items: ListItem[];
}

export interface SidecarDocument {
  readonly text: string;
  readonly rdf: XmlElement;
  readonly descriptions: readonly XmlElement[];
  /** rdf:about of the first description ('' when none): new descriptions repeat it. */
  readonly about: string;
  readonly lists: Readonly<Record<KeywordField, PropertyList>>;
  readonly records: Readonly<Record<KeywordField, PropertyList>>;
}

const CONTAINERS = new Set(['Bag', 'Seq', 'Alt']);
/** Far above any real sidecar (a few KB); bounds the work a hostile file can cause. */
export const MAX_SIDECAR_CHARS = 16 * 1024 * 1024;

/** Parses sidecar text; a fault is a SidecarMalformed error naming `fileName`. */
export function readSidecarDocument(text: string, fileName: string): SidecarDocument {
  const malformed = (why: string, cause?: unknown) =>
    new MumicError('SidecarMalformed', `${fileName}: ${why}`, { cause });
  if (text.length > MAX_SIDECAR_CHARS) throw malformed('too large for an XMP sidecar');
  let root: XmlElement;
  try {
    root = parseXmlTree(text);
  } catch (cause) {
    if (cause instanceof XmlSyntaxError) throw malformed(cause.message, cause);
    throw cause;
  }
  const rdf = findElement(root, RDF_NS, 'RDF');
  if (!rdf) throw malformed('no rdf:RDF element');
  if (rdf.selfClosing) throw malformed('rdf:RDF is empty (self-closing)');
  const descriptions = rdf.children.filter((e) => e.uri === RDF_NS && e.local === 'Description');
  const about = descriptions[0]?.attributes.find((a) => a.uri === RDF_NS && a.local === 'about');
  const listOf = (spec: PropertySpec): PropertyList => {
    const list: PropertyList = { properties: [], items: [] };
    for (const d of descriptions) {
      if (d.attributes.some((a) => a.uri === spec.uri && a.local === spec.local)) {
        throw malformed(`${spec.prefix}:${spec.local} is an attribute, not a list`);
      }
      for (const property of d.children) {
        if (property.uri !== spec.uri || property.local !== spec.local) continue;
        const [container, ...rest] = property.children;
        const isList = container?.uri === RDF_NS && CONTAINERS.has(container.local);
        if (!container || !isList || rest.length > 0 || property.text.trim() !== '') {
          throw malformed(`${spec.prefix}:${spec.local} is not an RDF list`);
        }
        list.properties.push({ property, container });
        for (const li of container.children) {
          if (li.uri !== RDF_NS || li.local !== 'li' || li.children.length > 0) {
            throw malformed(`${spec.prefix}:${spec.local} has an item that is not plain text`);
          }
          list.items.push({ value: li.text, element: li });
        }
      }
    }
    return list;
  };
  const byField = (specs: Readonly<Record<KeywordField, PropertySpec>>) =>
    Object.fromEntries(KEYWORD_FIELDS.map((f) => [f, listOf(specs[f])])) as Record<
      KeywordField,
      PropertyList
    >;
  return {
    text,
    rdf,
    descriptions,
    about: about?.value ?? '',
    lists: byField(KEYWORD_PROPERTIES),
    records: byField(RECORD_PROPERTIES),
  };
}

/** The values of each field's lists. */
export const valuesOf = (lists: Readonly<Record<KeywordField, PropertyList>>): KeywordLists =>
  Object.fromEntries(
    KEYWORD_FIELDS.map((f) => [f, lists[f].items.map((i) => i.value)]),
  ) as KeywordLists;
