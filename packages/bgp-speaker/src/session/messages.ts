/** Small tables and helpers of the session layer: message counters, error events, NOTIFICATION events. */
import { decodeShutdownMessage } from '../wire/notification.js';
import { CeaseSubcode, ErrorCode } from '../wire/errors.js';
import { MessageType } from '../wire/types.js';
import type { Negotiated } from '../fsm/negotiate.js';
import type { FsmEvent, NotificationSpec } from '../fsm/state.js';
import { notificationText } from '../fsm/transition.js';
import type { MessageCounts, NotificationEvent } from './peer.js';

export type ErrorEventType = 'BGPHeaderErr' | 'BGPOpenMsgErr' | 'UpdateMsgErr' | 'RouteRefreshMsgErr';
export const ERROR_EVENT: Record<number, ErrorEventType> = {
  [MessageType.OPEN]: 'BGPOpenMsgErr',
  [MessageType.UPDATE]: 'UpdateMsgErr',
  [MessageType.ROUTE_REFRESH]: 'RouteRefreshMsgErr',
};
export const COUNTER: Record<number, keyof MessageCounts> = {
  [MessageType.OPEN]: 'open',
  [MessageType.UPDATE]: 'update',
  [MessageType.NOTIFICATION]: 'notification',
  [MessageType.KEEPALIVE]: 'keepalive',
  [MessageType.ROUTE_REFRESH]: 'routeRefresh',
};
export const counts = (): MessageCounts => ({ open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0 });
export const COLLISION_NOTIFICATION: NotificationSpec = { code: ErrorCode.CEASE, subcode: CeaseSubcode.CONNECTION_COLLISION_RESOLUTION };


export function openEvent(n: Negotiated): FsmEvent {
  return { type: 'BGPOpen', holdTime: n.holdTime, keepaliveTime: n.keepaliveTime };
}

export function notificationEvent(n: { code: number; subcode: number; data: Uint8Array }, message?: string): NotificationEvent {
  const shutdown = decodeShutdownMessage({ type: MessageType.NOTIFICATION, ...n });
  const spec = { code: n.code, subcode: n.subcode, data: n.data, ...(shutdown !== null ? { message: shutdown } : message ? { message } : {}) };
  return { ...spec, text: notificationText(spec), ...(shutdown !== null ? { shutdownCommunication: shutdown } : {}) };
}
