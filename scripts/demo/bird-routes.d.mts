// Types of bird-routes.mjs (a plain ES module of the demo), for test/demo.test.ts.
export interface BirdPath {
  /** The BGP neighbour (replica) the path came from. */
  from: string | undefined;
  /** BGP.next_hop (the global address when BIRD shows two). */
  nextHop: string | undefined;
  originatorId: string | undefined;
  clusterList: string[];
}
export function parseBirdRoutesAll(text: string): Map<string, BirdPath[]>;
export function birdPaths(node: { name: string; bird: { birdc(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> } }): Promise<Map<string, BirdPath[]>>;
