/** The XML text of new sidecar parts (built with fast-xml-parser's builder), and splicing. */
import { XMLBuilder } from 'fast-xml-parser';
import { RDF_NS, type PropertySpec } from './namespaces.ts';

/** Replace [start, end) of the text with `text` (start === end: insert). */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  indentBy: ' ',
  suppressEmptyNode: false,
});
const inline = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_' });

/** Applies non-overlapping edits; every byte outside them is kept. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let cursor = 0;
  for (const edit of sorted) {
    // A bug guard: overlapping edits would corrupt the sidecar.
    if (edit.start < cursor) throw new Error('internal error: overlapping sidecar edits');
    out += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return out + text.slice(cursor);
}

/** The whitespace from the start of the line to `offset` ('' when other text precedes it). */
export function indentOf(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const head = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(head) ? head : '';
}

/** Re-indents builder output (which starts at column 0) to `indent`, first line excepted. */
const indented = (xml: string, indent: string): string =>
  xml.trimEnd().split('\n').join(`\n${indent}`);

const liName = (rdfPrefix: string) => (rdfPrefix ? `${rdfPrefix}:li` : 'li');

/** `<rdf:li>value</rdf:li>` with the document's prefix for the RDF namespace. */
export const itemText = (rdfPrefix: string, value: string): string =>
  inline.build({ [liName(rdfPrefix)]: value }) as string;

/** A list container (`qname` is e.g. rdf:Bag) holding `values`. */
export function containerText(
  qname: string,
  rdfPrefix: string,
  values: readonly string[],
  indent: string,
): string {
  return indented(builder.build({ [qname]: { [liName(rdfPrefix)]: [...values] } }), indent);
}

const listObject = (spec: PropertySpec, values: readonly string[], rdfPrefix = 'rdf') => ({
  [`${rdfPrefix}:${spec.container}`]: { [liName(rdfPrefix)]: [...values] },
});

/** A whole list property, e.g. `<mumic:subject><rdf:Bag>...</rdf:Bag></mumic:subject>`. */
export function propertyText(
  spec: PropertySpec,
  values: readonly string[],
  indent: string,
  prefix: string,
  rdfPrefix: string,
): string {
  const body = listObject(spec, values, rdfPrefix || 'rdf');
  return indented(builder.build({ [`${prefix}:${spec.local}`]: body }), indent);
}

/** A new rdf:Description declaring the namespaces of its list properties. */
export function descriptionText(
  rdfPrefix: string,
  about: string,
  properties: readonly { spec: PropertySpec; values: readonly string[] }[],
  indent: string,
): string {
  const rdf = rdfPrefix || 'rdf';
  const body: Record<string, unknown> = { [`@_${rdf}:about`]: about };
  // The RDF prefix is declared again only when the document used the default namespace for it.
  if (!rdfPrefix) body[`@_xmlns:${rdf}`] = RDF_NS;
  for (const { spec } of properties) body[`@_xmlns:${spec.prefix}`] = spec.uri;
  for (const { spec, values } of properties) {
    body[`${spec.prefix}:${spec.local}`] = listObject(spec, values, rdf);
  }
  return indented(builder.build({ [`${rdf}:Description`]: body }), indent);
}
