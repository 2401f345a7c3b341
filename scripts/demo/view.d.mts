// Types of the pure parts of view.mjs, for test/demo.test.ts.
import type { BirdPath } from '../../test/harness/bird-routes.js';

export interface DemoNode {
  name: string;
  address: string;
  block: string;
}
export interface NodeState {
  name: string;
  held: number;
  missing: DemoNode[];
  wrongNextHop: string[];
  fewestPaths: number;
  error?: string;
}
export interface DemoCluster {
  nodes: DemoNode[];
  replicas: { name: string; proc?: { output: string; running: boolean; exitInfo?: unknown } }[];
}
export interface Sample {
  nodes: NodeState[];
}
export function nodeState(cluster: DemoCluster, n: DemoNode, paths: Map<string, Pick<BirdPath, 'nextHop'>[]>): NodeState;
export function complete(s: Sample): boolean;
export function failureReport(cluster: DemoCluster, s: Sample | undefined): string;
