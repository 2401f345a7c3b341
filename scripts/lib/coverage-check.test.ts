import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./coverage-check.mjs', import.meta.url));

function check(root: string, min: number): { code: number | null; out: string } {
  const res = spawnSync(process.execPath, [script, join(root, 'summary.json'), String(min)], {
    encoding: 'utf8',
    env: { ...process.env, BGP_RR_ROOT: root },
  });
  return { code: res.status, out: res.stdout };
}

t.test('files no test loads count as uncovered; type-only files do not count', async (t) => {
  const root = t.testdir({
    packages: {
      a: {
        src: {
          'loaded.ts': 'export const x = 1;\n',
          // 4 code lines; comments and blank lines are not counted
          'unloaded.ts': '/**\n * doc\n */\nimport { x } from "./loaded.js";\n\n// note\nexport function f(): number {\n  return x;\n}\n',
          'types.ts': 'export interface T {\n  a: number;\n}\nexport type U = T;\n',
        },
      },
    },
  });
  const lines = { total: 10, covered: 8, skipped: 0, pct: 80 };
  const entry = { lines, statements: lines, functions: lines, branches: lines };
  const summary = { total: entry, [join(root, 'packages/a/src/loaded.ts')]: entry };
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(root, 'summary.json'), JSON.stringify(summary));

  const pass = check(root, 57);
  t.equal(pass.code, 0);
  t.match(pass.out, /lines 57\.14% \(8\/14\)/);
  t.match(pass.out, /not loaded by any test, counted as uncovered: packages\/a\/src\/unloaded\.ts \(4 lines\)/);
  t.notMatch(pass.out, /types\.ts/);
  t.match(pass.out, /coverage threshold met: lines 57\.14% >= 57%/);

  const fail = check(root, 60);
  t.equal(fail.code, 1);
  t.match(fail.out, /coverage threshold NOT met: lines 57\.14% < 60%/);
});
