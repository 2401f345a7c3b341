/** The attribute table: each row's flags and RFC 7606 approach, and a decode/encode round trip per row. */
import t from 'tap';
import { ATTRIBUTE_BY_CODE, ATTRIBUTE_TABLE } from '../../src/wire/attributes.js';
import { Severity } from '../../src/wire/errors.js';
import { DEFAULT_CODEC_CONTEXT, type PathAttributes } from '../../src/wire/types.js';

const TAW = Severity.TREAT_AS_WITHDRAW;
const DISCARD = Severity.ATTRIBUTE_DISCARD;
const RESET = Severity.SESSION_RESET;
// [code, flags per RFC, RFC 7606 approach]
const EXPECTED: [number, number, Severity][] = [
  [1, 0x40, TAW], // ORIGIN: well-known mandatory; §7.1
  [2, 0x40, TAW], // AS_PATH; §7.2
  [3, 0x40, TAW], // NEXT_HOP; §7.3
  [4, 0x80, TAW], // MULTI_EXIT_DISC: optional non-transitive; §7.4
  [5, 0x40, TAW], // LOCAL_PREF; §7.5
  [6, 0x40, DISCARD], // ATOMIC_AGGREGATE; §7.6
  [7, 0xc0, DISCARD], // AGGREGATOR: optional transitive; §7.7
  [8, 0xc0, TAW], // COMMUNITIES (RFC 1997); §7.8
  [9, 0x80, TAW], // ORIGINATOR_ID (RFC 4456); §7.9
  [10, 0x80, TAW], // CLUSTER_LIST (RFC 4456); §7.10
  [14, 0x80, RESET], // MP_REACH_NLRI (RFC 4760); §7.11
  [15, 0x80, RESET], // MP_UNREACH_NLRI; §7.12
  [16, 0xc0, TAW], // EXTENDED_COMMUNITIES (RFC 4360); §7.14
  [17, 0xc0, DISCARD], // AS4_PATH (RFC 6793 §6)
  [18, 0xc0, DISCARD], // AS4_AGGREGATOR (RFC 6793 §6)
  [32, 0xc0, TAW], // LARGE_COMMUNITY (RFC 8092 §5)
];

t.test('one row per attribute, with the RFC flags and approach', async (t) => {
  t.equal(ATTRIBUTE_TABLE.length, EXPECTED.length);
  for (const [code, flags, severity] of EXPECTED) {
    const row = ATTRIBUTE_BY_CODE[code];
    t.ok(row, `row for ${code}`);
    t.same([row?.flags, row?.malformed], [flags, severity], row?.name ?? String(code));
  }
});

t.test('each row: write then decode gives the value back, length as predicted', async (t) => {
  const ctx = { ...DEFAULT_CODEC_CONTEXT, fourOctetAs: true };
  const sample: PathAttributes = {
    origin: 2,
    asPath: [{ type: 2, asns: [1, 4200000000] }],
    nextHop: 0x0a000001,
    med: 7,
    localPref: 100,
    atomicAggregate: true,
    aggregator: { asn: 4200000000, address: 9 },
    communities: [1, 2],
    originatorId: 3,
    clusterList: [4, 5],
    mpReach: { afi: 2, safi: 1, nextHop: new Uint8Array(16).fill(1), nlri: [] },
    mpUnreach: { afi: 2, safi: 1, withdrawn: [] },
    extCommunities: [new Uint8Array(8).fill(3)],
    largeCommunities: [[1, 2, 3]],
  };
  for (const row of ATTRIBUTE_TABLE) {
    const n = row.length(sample, ctx);
    if (row.code === 17 || row.code === 18) {
      t.equal(n, -1, `${row.name} is never sent between 4-octet speakers`);
      continue;
    }
    const b = new Uint8Array(n + 4);
    t.equal(row.write(b, 2, sample, ctx), 2 + n, `${row.name} writes its predicted length`);
    const out: PathAttributes = {};
    t.equal(row.decode(b, 2, 2 + n, out, ctx), 0, `${row.name} decodes`);
    const key = Object.keys(out)[0] as keyof PathAttributes;
    t.same(out[key], sample[key], row.name);
  }
});
