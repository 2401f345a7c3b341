/**
 * Calico selector grammar (libcalico-go lib/selector/parser), lowest binding first:
 *
 *   or    := and ( '||' and )*
 *   and   := unary ( '&&' unary )*
 *   unary := '!' unary | '(' or ')' | all() | global() | has(label)
 *          | label ('=='|'!='|contains|starts with|ends with) string
 *          | label ('in'|'not in') '{' [string (',' string)*] '}'
 *
 * An empty selector means all(), as in Calico.
 */
import { SelectorError, tokenize, type Token, type TokenKind } from './lexer.js';

export type Node =
  | { readonly op: 'all' }
  | { readonly op: 'global' }
  | { readonly op: 'has'; readonly label: string }
  | { readonly op: 'eq' | 'ne' | 'contains' | 'startswith' | 'endswith'; readonly label: string; readonly value: string }
  | { readonly op: 'in' | 'notin'; readonly label: string; readonly values: readonly string[] }
  | { readonly op: 'not'; readonly operand: Node }
  | { readonly op: 'and' | 'or'; readonly operands: readonly Node[] };

const COMPARISONS: ReadonlySet<TokenKind> = new Set(['eq', 'ne', 'contains', 'startswith', 'endswith']);

export function parseSelector(src: string): Node {
  const p = new Parser(src, tokenize(src));
  if (p.peek().kind === 'eof') return { op: 'all' };
  const node = p.or();
  p.expect('eof', 'end of selector');
  return node;
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: readonly Token[],
  ) {}

  peek(): Token {
    return this.tokens[this.i] ?? { kind: 'eof', text: '', pos: this.src.length };
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length) this.i++;
    return t;
  }

  expect(kind: TokenKind, what: string): Token {
    const t = this.next();
    if (t.kind !== kind) throw new SelectorError(this.src, t.pos, `expected ${what}, found ${describe(t)}`);
    return t;
  }

  or(): Node {
    const operands = [this.and()];
    while (this.peek().kind === 'or') {
      this.next();
      operands.push(this.and());
    }
    return operands.length === 1 ? (operands[0] as Node) : { op: 'or', operands };
  }

  private and(): Node {
    const operands = [this.unary()];
    while (this.peek().kind === 'and') {
      this.next();
      operands.push(this.unary());
    }
    return operands.length === 1 ? (operands[0] as Node) : { op: 'and', operands };
  }

  private unary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'not':
        return { op: 'not', operand: this.unary() };
      case 'lparen': {
        const inner = this.or();
        this.expect('rparen', "')'");
        return inner;
      }
      case 'all':
        return { op: 'all' };
      case 'global':
        return { op: 'global' };
      case 'has': {
        const label = this.expect('label', 'a label name in has(...)').text;
        this.expect('rparen', "')' closing has(");
        return { op: 'has', label };
      }
      case 'label':
        return this.comparison(t.text);
      default:
        throw new SelectorError(this.src, t.pos, `expected a label, has(), all(), global(), '!' or '(', found ${describe(t)}`);
    }
  }

  private comparison(label: string): Node {
    const t = this.next();
    if (COMPARISONS.has(t.kind)) {
      const value = this.expect('string', 'a quoted string').text;
      return { op: t.kind as 'eq' | 'ne' | 'contains' | 'startswith' | 'endswith', label, value };
    }
    if (t.kind === 'in' || t.kind === 'notin') return { op: t.kind, label, values: this.set() };
    throw new SelectorError(this.src, t.pos, `expected an operator (==, !=, in, not in, contains, starts with, ends with) after ${JSON.stringify(label)}, found ${describe(t)}`);
  }

  private set(): string[] {
    this.expect('lbrace', "'{'");
    const values: string[] = [];
    if (this.peek().kind === 'rbrace') {
      this.next();
      return values;
    }
    for (;;) {
      values.push(this.expect('string', 'a quoted string in the set').text);
      const t = this.next();
      if (t.kind === 'rbrace') return values;
      if (t.kind !== 'comma') throw new SelectorError(this.src, t.pos, `expected ',' or '}', found ${describe(t)}`);
    }
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of selector';
  if (t.kind === 'string') return `string ${JSON.stringify(t.text)}`;
  return JSON.stringify(t.text);
}
