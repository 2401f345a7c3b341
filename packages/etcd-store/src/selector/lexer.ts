/**
 * Tokens of Calico's selector language (libcalico-go lib/selector/tokenizer).
 * Every token keeps its offset so that errors can point at the culprit.
 */
export type TokenKind =
  | 'label' // a label key such as rack or kubernetes.io/hostname
  | 'string' // 'v' or "v" (no escapes, as in Calico)
  | 'eq' // ==
  | 'ne' // !=
  | 'in'
  | 'notin' // not in
  | 'contains'
  | 'startswith' // starts with
  | 'endswith' // ends with
  | 'has' // has(
  | 'all' // all()
  | 'global' // global()
  | 'and' // &&
  | 'or' // ||
  | 'not' // !
  | 'lparen'
  | 'rparen'
  | 'lbrace'
  | 'rbrace'
  | 'comma'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: number;
}

export class SelectorError extends Error {
  override readonly name = 'SelectorError';
  constructor(
    readonly selector: string,
    readonly pos: number,
    detail: string,
  ) {
    super(`bad selector ${JSON.stringify(selector)} at position ${pos}: ${detail}`);
  }
}

const LABEL = /[a-zA-Z0-9_./-]+/y;
const KEYWORDS: readonly [RegExp, TokenKind][] = [
  [/has\s*\(/y, 'has'],
  [/all\s*\(\s*\)/y, 'all'],
  [/global\s*\(\s*\)/y, 'global'],
  [/not\s+in(?![a-zA-Z0-9_./-])/y, 'notin'],
  [/in(?![a-zA-Z0-9_./-])/y, 'in'],
  [/contains(?![a-zA-Z0-9_./-])/y, 'contains'],
  [/starts\s+with(?![a-zA-Z0-9_./-])/y, 'startswith'],
  [/ends\s+with(?![a-zA-Z0-9_./-])/y, 'endswith'],
];
const PUNCT: readonly [string, TokenKind][] = [
  ['==', 'eq'],
  ['!=', 'ne'],
  ['&&', 'and'],
  ['||', 'or'],
  ['!', 'not'],
  ['(', 'lparen'],
  [')', 'rparen'],
  ['{', 'lbrace'],
  ['}', 'rbrace'],
  [',', 'comma'],
];

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new SelectorError(src, i, 'unterminated string');
      out.push({ kind: 'string', text: src.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    const punct = PUNCT.find(([p]) => src.startsWith(p, i));
    if (punct !== undefined) {
      out.push({ kind: punct[1], text: punct[0], pos: i });
      i += punct[0].length;
      continue;
    }
    const kw = matchKeyword(src, i);
    if (kw !== undefined) {
      out.push(kw);
      i += kw.text.length;
      continue;
    }
    LABEL.lastIndex = i;
    const m = LABEL.exec(src);
    if (m === null) throw new SelectorError(src, i, `unexpected character ${JSON.stringify(c)}`);
    out.push({ kind: 'label', text: m[0], pos: i });
    i += m[0].length;
  }
  out.push({ kind: 'eof', text: '', pos: src.length });
  return out;
}

/** Keywords only where a label could not continue (so "internal" stays a label). */
function matchKeyword(src: string, i: number): Token | undefined {
  for (const [re, kind] of KEYWORDS) {
    re.lastIndex = i;
    const m = re.exec(src);
    if (m !== null) return { kind, text: m[0], pos: i };
  }
  return undefined;
}
