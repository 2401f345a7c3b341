/** Batch writes (DESIGN.md §4): joined chunks and split-horizon views keep every byte, in order. */
import t from 'tap';
import fc from 'fast-check';
import { allChunks, chunksExcept, CHUNK_BYTES } from '../../../src/engine/update-groups/chunks.js';
import { emptyFrameSet } from '../../../src/engine/update-groups/frames.js';

function frameSet(sizes: readonly number[]) {
  const s = emptyFrameSet();
  sizes.forEach((n, i) => {
    const f = new Uint8Array(n).fill(i & 255);
    s.frames.push(f);
    s.sources.push(null);
    s.announced.push(null);
    s.bytes += n;
  });
  return s;
}

const concat = (parts: readonly Uint8Array[]): number[] => parts.flatMap((p) => [...p]);

t.test('property: chunks are the kept frames in order, within CHUNK_BYTES, counted', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 19, max: 4096 }), { minLength: 1, maxLength: 80 }),
      fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }),
      (sizes, skipMask) => {
        const set = frameSet(sizes);
        const original = set.frames.map((f) => f.slice());
        const skip = sizes.map((_, i) => i).filter((i) => skipMask[i]);
        const first = [Uint8Array.of(7, 7, 7)];
        const got = chunksExcept(set, skip, first);
        const want = [...first, ...original.filter((_, i) => !skipMask[i])];
        if (JSON.stringify(concat(got.chunks)) !== JSON.stringify(concat(want))) return false;
        if (got.messages.reduce((a, b) => a + b, 0) !== want.length) return false;
        const all = allChunks(set);
        if (JSON.stringify(concat(all.chunks)) !== JSON.stringify(concat(original))) return false;
        return all.chunks.every((c, i) => c.length <= CHUNK_BYTES || all.messages[i] === 1);
      },
    ),
    { numRuns: 200 },
  );
  t.pass('held');
});

t.test('the whole-set chunks are one shared object; views share its buffer', async (t) => {
  const set = frameSet([100, 200, 300]);
  const a = allChunks(set);
  t.equal(allChunks(set), a, 'cached');
  const v = chunksExcept(set, [1], []);
  t.same(v.messages, [1, 1]);
  t.equal(v.chunks[0]!.buffer, a.chunks[0]!.buffer, 'a view, not a copy');
});
