/** The XMP namespaces and properties mumic reads and writes. */
export const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const X_NS = 'adobe:ns:meta/';
/** mumic's own record of the keywords it wrote (so re-runs change only those). */
export const MUMIC_NS = 'urn:x-mumic:xmp:1.0/';

/** The three keyword lists, by field name. */
export type KeywordField = 'subject' | 'hierarchicalSubject' | 'tagsList';
export const KEYWORD_FIELDS: readonly KeywordField[] = [
  'subject',
  'hierarchicalSubject',
  'tagsList',
];

export interface PropertySpec {
  readonly uri: string;
  readonly prefix: string;
  readonly local: string;
  /** The RDF container a new list gets (what Lightroom and digiKam write). */
  readonly container: 'Bag' | 'Seq';
}

/** Where each list lives: dc:subject (flat), lr:hierarchicalSubject (a|b|c), digiKam:TagsList (a/b/c). */
export const KEYWORD_PROPERTIES: Readonly<Record<KeywordField, PropertySpec>> = {
  subject: {
    uri: 'http://purl.org/dc/elements/1.1/',
    prefix: 'dc',
    local: 'subject',
    container: 'Bag',
  },
  hierarchicalSubject: {
    uri: 'http://ns.adobe.com/lightroom/1.0/',
    prefix: 'lr',
    local: 'hierarchicalSubject',
    container: 'Bag',
  },
  tagsList: {
    uri: 'http://www.digikam.org/ns/1.0/',
    prefix: 'digiKam',
    local: 'TagsList',
    container: 'Seq',
  },
};

/** mumic:subject, mumic:hierarchicalSubject, mumic:tagsList: what mumic wrote into each list. */
export const RECORD_PROPERTIES: Readonly<Record<KeywordField, PropertySpec>> = {
  subject: { uri: MUMIC_NS, prefix: 'mumic', local: 'subject', container: 'Bag' },
  hierarchicalSubject: {
    uri: MUMIC_NS,
    prefix: 'mumic',
    local: 'hierarchicalSubject',
    container: 'Bag',
  },
  tagsList: { uri: MUMIC_NS, prefix: 'mumic', local: 'tagsList', container: 'Bag' },
};

/** One list per field. */
export type KeywordLists = Record<KeywordField, string[]>;

export const emptyLists = (): KeywordLists => ({
  subject: [],
  hierarchicalSubject: [],
  tagsList: [],
});
