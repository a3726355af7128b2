/**
 * A static screen for regular expressions that backtrack exponentially (issue 10, item 5).
 * JavaScript's engine backtracks, and a pattern cannot be interrupted in its own thread, so the
 * tokenizer's patterns are screened before they are compiled. The screen refuses the two shapes
 * behind catastrophic backtracking: a repeated group that itself holds a repetition (`(a+)+`)
 * and a repeated group of alternatives (`(a|aa)+`), whose branches may overlap. It is
 * deliberately conservative (`(?:a|b)+` is harmless but refused); no tokenizer published for the
 * CLIP family repeats a group at all. What it cannot see (polynomial blow-ups such as `\s*\s*x`)
 * the timed probe of tokenizer-probe.ts measures.
 */

interface Group {
  /** Holds a repeated element (here or in a nested group). */
  repeats: boolean;
  /** Holds a `|` (here or in a nested group). */
  alternatives: boolean;
}

const QUANTIFIER = /^(?:[*+?]|\{(\d+)(,(\d*))?\})/;

/** Why `source` may backtrack exponentially, or undefined when the screen finds nothing. */
export function regexProblem(source: string): string | undefined {
  const stack: Group[] = [{ repeats: false, alternatives: false }];
  let last: Group | 'atom' | undefined; // what a following quantifier applies to
  for (let i = 0; i < source.length;) {
    const c = source[i] as string;
    const top = stack.at(-1) as Group;
    if (c === '\\') {
      // \p{L}, \u{1F600}, \k<name>: skip the braces or brackets too.
      const open = source[i + 2];
      const close = open === '{' ? '}' : open === '<' && source[i + 1] === 'k' ? '>' : undefined;
      const end = close === undefined ? -1 : source.indexOf(close, i + 2);
      i = end >= 0 ? end + 1 : i + 2;
      last = 'atom';
      continue;
    }
    if (c === '[') {
      i++;
      if (source[i] === '^') i++;
      if (source[i] === ']') i++;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i++;
      last = 'atom';
      continue;
    }
    if (c === '(') {
      stack.push({ repeats: false, alternatives: false });
      // Skip a group prefix: ?: ?= ?! ?<= ?<! ?<name> ?i: ?-i:
      const prefix = /^\(\?(?:<[=!]|<[^>]*>|[=!:]|[a-zA-Z-]+:)?/.exec(source.slice(i));
      i += prefix?.[0].length ?? 1;
      last = undefined;
      continue;
    }
    if (c === ')') {
      const group = stack.length > 1 ? (stack.pop() as Group) : top;
      const parent = stack.at(-1) as Group;
      parent.repeats ||= group.repeats;
      parent.alternatives ||= group.alternatives;
      i++;
      last = group;
      continue;
    }
    if (c === '|') {
      top.alternatives = true;
      i++;
      last = undefined;
      continue;
    }
    const q = QUANTIFIER.exec(source.slice(i));
    if (q) {
      const unbounded = c === '*' || c === '+' || (q[2] !== undefined && q[3] === '');
      const repeats = unbounded || (q[3] !== undefined && Number(q[3]) > 1);
      i += q[0].length;
      if (source[i] === '?' || source[i] === '+') i++; // lazy or possessive
      if (repeats && last !== undefined && last !== 'atom' && unbounded) {
        if (last.repeats) {
          return 'repeats a group that itself repeats (nested quantifiers), which can take exponential time';
        }
        if (last.alternatives) {
          return 'repeats a group of alternatives, which can take exponential time when they overlap';
        }
      }
      if (repeats) top.repeats = true;
      last = undefined;
      continue;
    }
    i++;
    last = 'atom';
  }
  return undefined;
}

/**
 * Every regular expression in tokenizer.json that the tokenizer library compiles (Split and
 * Replace patterns of the normalizer, pre-tokenizer and decoder, at any depth), with its path.
 */
export function tokenizerPatterns(
  json: Record<string, unknown>,
): { path: string; regex: string }[] {
  const out: { path: string; regex: string }[] = [];
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const obj = value as Record<string, unknown>;
    const pattern = obj['pattern'];
    if (typeof pattern === 'object' && pattern !== null) {
      const regex = (pattern as Record<string, unknown>)['Regex'];
      if (typeof regex === 'string') out.push({ path: `${path}.pattern.Regex`, regex });
    }
    for (const [key, v] of Object.entries(obj)) {
      if (key !== 'pattern') walk(v, path ? `${path}.${key}` : key);
    }
  };
  for (const [key, v] of Object.entries(json)) {
    if (key !== 'model' && key !== 'added_tokens') walk(v, key);
  }
  return out;
}
