/** Bad selectors fail once, at parse time, naming the position of the culprit. */
import t from 'tap';
import { compileSelector, parseSelector, SelectorError } from '../../src/selector/index.js';

const bad: [what: string, selector: string, pos: number, message: RegExp][] = [
  ['single = is not an operator', "rack = 'r1'", 5, /unexpected character "="/],
  ['unterminated string', "rack == 'r1", 8, /unterminated string/],
  ['missing value', 'rack ==', 7, /expected a quoted string, found end of selector/],
  ['unquoted value', 'rack == r1', 8, /expected a quoted string, found "r1"/],
  ['missing operator', "rack 'r1'", 5, /expected an operator/],
  ['unbalanced parenthesis', "(rack == 'r1'", 13, /expected '\)'/],
  ['extra closing parenthesis', "rack == 'r1')", 12, /expected end of selector/],
  ['has without label', 'has()', 4, /label name in has/],
  ['has not closed', 'has(rack', 8, /closing has/],
  ['set without braces', "rack in 'r1'", 8, /expected '\{'/],
  ['set with a trailing comma', "rack in {'a',}", 13, /quoted string in the set/],
  ['dangling &&', "rack == 'a' &&", 14, /expected a label/],
  ['operator first', "== 'a'", 0, /expected a label/],
  ['bad character', "rack == 'a' ; x", 12, /unexpected character/],
];

t.test('bad selectors', async (t) => {
  for (const [what, sel, pos, message] of bad) {
    try {
      compileSelector(sel);
      t.fail(`${what}: accepted ${sel}`);
    } catch (err) {
      t.ok(err instanceof SelectorError, `${what}: SelectorError`);
      t.equal((err as SelectorError).pos, pos, `${what}: position`);
      t.match((err as Error).message, message, `${what}: message`);
    }
  }
});

t.test('parse tree shape', async (t) => {
  t.same(parseSelector("a == 'x' || b == 'y' && !has(c)"), {
    op: 'or',
    operands: [
      { op: 'eq', label: 'a', value: 'x' },
      { op: 'and', operands: [{ op: 'eq', label: 'b', value: 'y' }, { op: 'not', operand: { op: 'has', label: 'c' } }] },
    ],
  });
  t.same(parseSelector("k not in {'a', \"b\"}"), { op: 'notin', label: 'k', values: ['a', 'b'] });
});
