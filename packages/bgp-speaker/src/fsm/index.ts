/** The pure RFC 4271 §8 FSM, OPEN negotiation and §6.8 collision detection. */
export * from './state.js';
export { transition, nextDeadline, dueTimer, notificationText } from './transition.js';
export * from './negotiate.js';
export * from './collision.js';
