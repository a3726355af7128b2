/**
 * A namespace-aware element tree of an XML text WITH source offsets, so that a sidecar can be
 * changed by splicing: every byte outside the changed elements stays as it was. fast-xml-parser
 * checks well-formedness first (and names the line of a fault); it reports no offsets, which is
 * why the tree itself is read here, from text already known to be well-formed.
 */
import { decodeXML } from 'entities';
import { XMLValidator } from 'fast-xml-parser';

export interface XmlAttribute {
  readonly qname: string;
  readonly uri: string;
  readonly local: string;
  /** Decoded value. */
  readonly value: string;
}

export interface XmlElement {
  readonly qname: string;
  readonly prefix: string;
  readonly uri: string;
  readonly local: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: XmlElement[];
  /** Offset of '<' of the start tag. */
  readonly start: number;
  /** Offset just past the start tag's '>'. */
  readonly openEnd: number;
  /** Offset of '<' of the end tag (equals `end` when self-closing). */
  closeStart: number;
  /** Offset just past the element. */
  end: number;
  readonly selfClosing: boolean;
  /** Decoded character data directly inside (text and CDATA, not of children). */
  text: string;
}

/** Thrown for text that is not well-formed XML (or uses a DTD, which XMP forbids). */
export class XmlSyntaxError extends Error {}

const NAME = String.raw`[^\s<>/=!?"']+`;
const ATTR = new RegExp(String.raw`(${NAME})\s*=\s*(?:"([^"]*)"|'([^']*)')`, 'g');
const TOKEN = new RegExp(
  String.raw`<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!|<\/(${NAME})\s*>|<(${NAME})((?:\s+${NAME}\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>`,
  'y',
);
const ROOT_SCOPE: ReadonlyMap<string, string> = new Map([
  ['xml', 'http://www.w3.org/XML/1998/namespace'],
]);

/** The root element of `text`; throws XmlSyntaxError when it is not well-formed XML. */
export function parseXmlTree(text: string): XmlElement {
  const check = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (check !== true) {
    throw new XmlSyntaxError(`line ${check.err.line}, column ${check.err.col}: ${check.err.msg}`);
  }
  const stack: { element: XmlElement; scope: ReadonlyMap<string, string> }[] = [];
  let root: XmlElement | undefined;
  let pos = 0;
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const textEnd = lt === -1 ? text.length : lt;
    const top = stack[stack.length - 1];
    if (top && textEnd > pos) top.element.text += decodeXML(text.slice(pos, textEnd));
    if (lt === -1) break;
    TOKEN.lastIndex = lt;
    const m = TOKEN.exec(text);
    if (!m) throw new XmlSyntaxError(`unexpected markup at offset ${lt}`);
    pos = TOKEN.lastIndex;
    const [token, cdata, closeName, openName, rawAttributes = '', slash] = m;
    if (token === '<!') throw new XmlSyntaxError('a DOCTYPE is not allowed in XMP');
    if (cdata !== undefined) {
      if (top) top.element.text += cdata;
    } else if (closeName !== undefined) {
      if (!top || top.element.qname !== closeName) {
        throw new XmlSyntaxError(`unexpected end tag </${closeName}>`);
      }
      top.element.closeStart = lt;
      top.element.end = pos;
      stack.pop();
    } else if (openName !== undefined) {
      const raw = attributesOf(rawAttributes);
      const declares = raw.filter((a) => a.qname === 'xmlns' || a.qname.startsWith('xmlns:'));
      // Elements share their parent's scope unless they declare namespaces.
      let scope = top?.scope ?? ROOT_SCOPE;
      if (declares.length > 0) {
        const own = new Map(scope);
        for (const a of declares) own.set(a.qname === 'xmlns' ? '' : a.qname.slice(6), a.value);
        scope = own;
      }
      const name = resolve(openName, scope, true);
      const element: XmlElement = {
        qname: openName,
        prefix: name.prefix,
        uri: name.uri,
        local: name.local,
        attributes: raw
          .filter((a) => !declares.includes(a))
          .map((a) => ({ ...resolve(a.qname, scope, false), value: a.value })),
        children: [],
        start: lt,
        openEnd: pos,
        closeStart: pos,
        end: pos,
        selfClosing: slash === '/',
        text: '',
      };
      if (top) top.element.children.push(element);
      else if (root) throw new XmlSyntaxError('more than one root element');
      else root = element;
      if (!element.selfClosing) stack.push({ element, scope });
    }
  }
  if (!root || stack.length > 0) throw new XmlSyntaxError('the document is incomplete');
  return root;
}

function attributesOf(raw: string): { qname: string; value: string }[] {
  const out: { qname: string; value: string }[] = [];
  if (raw === '') return out;
  ATTR.lastIndex = 0;
  for (let a = ATTR.exec(raw); a; a = ATTR.exec(raw)) {
    out.push({ qname: a[1] ?? '', value: decodeXML(a[2] ?? a[3] ?? '') });
  }
  return out;
}

function resolve(qname: string, scope: ReadonlyMap<string, string>, isElement: boolean) {
  const colon = qname.indexOf(':');
  const prefix = colon === -1 ? '' : qname.slice(0, colon);
  const local = colon === -1 ? qname : qname.slice(colon + 1);
  // Unprefixed attributes have no namespace; unprefixed elements take the default one.
  const uri = prefix === '' && !isElement ? '' : (scope.get(prefix) ?? '');
  if (prefix !== '' && !scope.has(prefix)) {
    throw new XmlSyntaxError(`the prefix "${prefix}" of <${qname}> is not declared`);
  }
  return { qname, prefix, uri, local };
}

/** Depth-first search for the first element with this namespace and local name. */
export function findElement(root: XmlElement, uri: string, local: string): XmlElement | null {
  if (root.uri === uri && root.local === local) return root;
  for (const child of root.children) {
    const found = findElement(child, uri, local);
    if (found) return found;
  }
  return null;
}

/** Offset where the whitespace directly before `offset` begins (removal takes it along). */
export function leadingSpaceStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && /\s/.test(text[i - 1] ?? '')) i--;
  return i;
}
