/** @bgp-rr/bgp-speaker: the wire codec, the FSM, sessions and the peer table. */
export * from './wire/index.js';
export * from './fsm/index.js';
export * from './speaker.js';
export * from './rib/index.js';
export { realClock, ManualClock, jitterFactor, type Clock, type TimerHandle } from './session/clock.js';
export { normaliseAddress } from './session/address.js';
