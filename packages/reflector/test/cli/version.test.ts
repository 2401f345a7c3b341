/** One version: packages/reflector/package.json's, from source and from the build. */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { version } from '../../src/cli/version.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

t.test('version() is the package version', async (t) => {
  t.match(pkg.version, /^\d+\.\d+\.\d+/);
  t.equal(version(), pkg.version);
});

t.test('the built bin reads the same file (dist/cli/ is as deep as src/cli/; npm run build first)', async (t) => {
  const bin = fileURLToPath(new URL('../../bin/bgp-rr.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, `${pkg.version}\n`);
});
