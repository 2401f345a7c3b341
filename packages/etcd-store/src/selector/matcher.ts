/**
 * A parsed selector compiled once into a closure over a label map.
 *
 * Calico semantics (libcalico-go lib/selector/parser/ast.go):
 * - `k != 'v'` and `k not in {...}` are true when k is absent;
 * - `k == 'v'`, `in`, `contains`, `starts with`, `ends with` are false when k is absent;
 * - `global()` matches every non-namespaced resource: all Nodes.
 */
import { parseSelector, type Node } from './parser.js';

export type Labels = Readonly<Record<string, string>>;

export interface Selector {
  /** The source text, as written. */
  readonly source: string;
  matches(labels: Labels): boolean;
}

export function compileSelector(source: string): Selector {
  const fn = compile(parseSelector(source));
  return { source, matches: fn };
}

type Matcher = (labels: Labels) => boolean;

const get = (labels: Labels, k: string): string | undefined => (Object.hasOwn(labels, k) ? labels[k] : undefined);

function compile(n: Node): Matcher {
  switch (n.op) {
    case 'all':
    case 'global':
      return () => true;
    case 'has':
      return (l) => get(l, n.label) !== undefined;
    case 'eq':
      return (l) => get(l, n.label) === n.value;
    case 'ne':
      return (l) => get(l, n.label) !== n.value;
    case 'contains':
      return (l) => get(l, n.label)?.includes(n.value) ?? false;
    case 'startswith':
      return (l) => get(l, n.label)?.startsWith(n.value) ?? false;
    case 'endswith':
      return (l) => get(l, n.label)?.endsWith(n.value) ?? false;
    case 'in': {
      const set = new Set(n.values);
      return (l) => {
        const v = get(l, n.label);
        return v !== undefined && set.has(v);
      };
    }
    case 'notin': {
      const set = new Set(n.values);
      return (l) => {
        const v = get(l, n.label);
        return v === undefined || !set.has(v);
      };
    }
    case 'not': {
      const inner = compile(n.operand);
      return (l) => !inner(l);
    }
    case 'and': {
      const parts = n.operands.map(compile);
      return (l) => parts.every((p) => p(l));
    }
    case 'or': {
      const parts = n.operands.map(compile);
      return (l) => parts.some((p) => p(l));
    }
  }
}
