import t from 'tap';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { mustRun } from './proc.js';
import { BIRD2_ROOT, REPO_ROOT, TOOL_NAMES, requireExecutable, requireTool, tools } from './tools.js';

t.test('the repository root is found from the file location', async (t) => {
  t.ok(existsSync(join(REPO_ROOT, 'package.json')));
  t.ok(existsSync(join(REPO_ROOT, 'test', 'harness', 'tools.ts')));
  t.equal(BIRD2_ROOT, join(REPO_ROOT, '.cache', 'bird2'));
});

t.test('every tool has an absolute path', async (t) => {
  for (const name of TOOL_NAMES) t.ok(isAbsolute(tools[name]), `${name}: ${tools[name]}`);
  t.equal(tools.bird2, join(BIRD2_ROOT, 'usr', 'sbin', 'bird'));
  t.equal(tools.birdc2, join(BIRD2_ROOT, 'usr', 'sbin', 'birdc'));
});

t.test('a missing tool names its package and `npm run setup`', async (t) => {
  t.throws(() => requireExecutable('frr', ['/nonexistent/frr'], 'frr'), {
    message: /frr is not installed \(looked for \/nonexistent\/frr; Debian package frr\)\. Run `npm run setup`/,
  });
});

// After `npm run setup` every tool the tests use runs and is the version we expect.
const versions: [Parameters<typeof requireTool>[0], string[], RegExp][] = [
  ['bird', ['--version'], /BIRD version 1\.6\./],
  ['bird6', ['--version'], /BIRD version 1\.6\./],
  ['bird2', ['--version'], /BIRD version 2\./],
  ['gobgpd', ['--version'], /gobgpd version \d/],
  ['gobgp', ['--version'], /gobgp version \d/],
  ['etcd', ['--version'], /etcd Version: 3\./],
  ['etcdctl', ['version'], /etcdctl version: 3\./],
  ['ip', ['-V'], /iproute2/],
  ['nft', ['--version'], /nftables/],
  ['openssl', ['version'], /OpenSSL/],
];
for (const [name, args, re] of versions) {
  t.test(`${name} runs`, async (t) => {
    const res = await mustRun(requireTool(name), args);
    t.match(res.stdout + res.stderr, re);
  });
}

t.test('birdc and birdc6 are installed next to bird', async (t) => {
  for (const name of ['birdc', 'birdc6', 'birdc2'] as const) t.ok(existsSync(requireTool(name)), name);
});
