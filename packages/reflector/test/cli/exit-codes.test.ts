/** The exit-code catalogue and the README table "Exit codes" say the same, both ways. */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { EXIT, EXIT_CODES } from '../../src/cli/exit-codes.js';

/** The rows of the first table after the heading `### Exit codes`: code, name, meaning. */
function readmeTable(): { code: number; name: string; meaning: string }[] {
  const text = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const at = text.indexOf('\n### Exit codes\n');
  if (at < 0) return [];
  const lines = text.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((c) => c.trim()));
  }
  const [head, rule, ...body] = rows;
  if (head?.join(',') !== 'code,name,meaning' || !rule?.every((c) => /^:?-+:?$/.test(c))) return [];
  const unquote = (s: string): string => s.replace(/^`(.*)`$/, '$1');
  return body.map(([code, name, meaning]) => ({ code: Number(unquote(code ?? '')), name: unquote(name ?? ''), meaning: meaning ?? '' }));
}

t.test('README "Exit codes" lists the catalogue exactly: every code, name and meaning, nothing else', async (t) => {
  const readme = readmeTable();
  t.not(readme.length, 0, 'README.md has a "### Exit codes" table with columns code, name, meaning');
  const key = (r: { code: number; name: string; meaning: string }): string => JSON.stringify([r.code, r.name, r.meaning]);
  const inReadme = new Set(readme.map(key));
  const inCode = new Set(EXIT_CODES.map(key));
  for (const r of EXIT_CODES) t.ok(inReadme.has(key(r)), `README has ${r.code} ${r.name}: ${r.meaning}`);
  for (const r of readme) t.ok(inCode.has(key(r)), `the catalogue has README's ${r.code} ${r.name}: ${r.meaning}`);
  t.equal(readme.length, EXIT_CODES.length, 'no row twice');
});

t.test('codes are distinct, and the values scripts and the unit rely on', async (t) => {
  t.equal(new Set(Object.values(EXIT)).size, Object.keys(EXIT).length, 'one name per code');
  t.same(EXIT, { OK: 0, FAILURE: 1, NOT_DONE: 2 }, 'bgp-rr.service: RestartPreventExitStatus=2 is NOT_DONE');
});
