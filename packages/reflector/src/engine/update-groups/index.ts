/** Update groups (DESIGN.md §4): group Adj-RIB-Out, change log, member cursors, shared frames. */
export { UpdateGroups, groupKey, type UpdateGroupStats } from './update-groups.js';
export { UpdateGroup, type Member } from './group.js';
export { AdjRibOut, type OutRecord } from './adj-rib-out.js';
export { FrameEncoder, type FrameSet, type EncodeOptions } from './frames.js';
export { allChunks, chunksExcept, framesToChunks, CHUNK_BYTES, type Chunks } from './chunks.js';
