/** The options table itself: names follow the rules, defaults and types agree. */
import t from 'tap';
import type { LevelWithSilent } from 'pino';
import { OPTIONS, type OptionKey, type OptionValue } from '../../src/config/options.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { LOG_LEVELS } from '../../src/daemon/log.js';
import type { RoutePolicyMode } from '../../src/engine/import-policy.js';
import type { PrefixLimitAction } from '../../src/engine/prefix-limit.js';

t.test('every option has a unique flag, env and key; env names follow the rule', async (t) => {
  for (const field of ['key', 'flag', 'env'] as const) t.equal(new Set(OPTIONS.map((o) => o[field])).size, OPTIONS.length, `${field} unique`);
  for (const o of OPTIONS) {
    t.equal(o.flag, `--${o.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, `${o.key}: flag is the kebab-case key`);
    if (!o.key.startsWith('etcd')) t.equal(o.env, `BGP_RR_${o.key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, `${o.key}: BGP_RR_<OPTION>`);
  }
  t.same(OPTIONS.filter((o) => o.key.startsWith('etcd')).map((o) => o.env), ['ETCD_ENDPOINTS', 'ETCD_CA_CERT_FILE', 'ETCD_CERT_FILE', 'ETCD_KEY_FILE'], "calicoctl's names for etcd");
});

t.test('every default is a value its type allows, a list default only for a list', async (t) => {
  for (const o of OPTIONS) {
    if (!('default' in o)) continue;
    t.equal(Array.isArray(o.default), 'list' in o && o.list, `${o.key}: list default iff list option`);
  }
  const all = OPTIONS.map((o) => o.key) as OptionKey[];
  t.doesNotThrow(() => resolveOptions(all, {}, {}), 'the defaults resolve');
});

t.test('the choices are the ones the daemon takes, both ways', async (t) => {
  // Checked by the type checker (npm run typecheck): a choice the daemon lacks, or a
  // mode of the daemon the table lacks, makes one of these `false`.
  type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
  const typeChecked: [Same<OptionValue<'routePolicy'>, RoutePolicyMode>, Same<OptionValue<'maxPrefixesAction'>, PrefixLimitAction>, Same<OptionValue<'logLevel'>, LevelWithSilent>] = [true, true, true];
  void typeChecked;
  const logLevel = OPTIONS.find((o) => o.key === 'logLevel');
  t.same(logLevel && 'choices' in logLevel ? Object.keys(logLevel.choices) : [], LOG_LEVELS, 'log levels in the order of daemon/log.ts');
});
