export { RibState, type ImportPolicy, type RibStateOptions } from './rib-state.js';
