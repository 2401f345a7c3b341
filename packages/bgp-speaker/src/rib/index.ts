/** The RIB: interned attributes, paths, Adj-RIB-In, decision process, Loc-RIB. Pure. */
export * from './attribute-table.js';
export * from './path.js';
export * from './adj-rib-in.js';
export * from './decision.js';
export * from './loc-rib.js';
