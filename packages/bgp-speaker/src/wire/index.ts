/**
 * The wire codec (pure: no I/O, no timers). Table of contents:
 *   types.ts          message vocabulary (Message, PathAttributes, CodecContext...)
 *   errors.ts         WireError: NOTIFICATION code/subcode/data + RFC 7606 severity
 *   address.ts        IPv4/IPv6 text <-> numbers/bytes (RFC 5952 output)
 *   prefix.ts         prefixes: parse, format, compact keys, containment
 *   framer.ts         TCP byte stream -> whole messages (RFC 4271 §4.1, §6.1)
 *   header.ts         marker/length/type checks shared by framer and decoder
 *   message.ts        decodeMessage / encodeMessage for all five types
 *   open.ts           OPEN + RFC 9072 extended parameters; capabilities.ts: RFC 5492 rows
 *   validate-open.ts  semantic OPEN checks (Bad Peer AS, BGP Identifier, RFC 6793 AS_TRANS)
 *   update.ts         UPDATE decode with RFC 7606 revised error handling, End-of-RIB
 *   attributes.ts     the path attribute table (one row per attribute); as-path.ts, mp.ts, nlri.ts
 *   update-encode.ts  attribute and UPDATE encoding; pack.ts: many prefixes per UPDATE
 *   notification.ts   NOTIFICATION + RFC 9003 shutdown communication; route-refresh.ts
 */
export * from './types.js';
export * from './errors.js';
export { AddressError, parseIpv4, tryParseIpv4, formatIpv4, parseIpv6, tryParseIpv6, formatIpv6, parseIp, formatIp, ipv4ToBytes, type IpAddress } from './address.js';
export { parsePrefix, formatPrefix, prefixKey, prefixFromKey, prefixEquals, prefixContains, ipv4Mask, ipv4Prefix, ipv6Prefix, maskIpv6, bytesEqual, type ParsePrefixOptions } from './prefix.js';
export { Framer, type FramerLimit } from './framer.js';
export { checkHeader, maxMessageLength } from './header.js';
export { decodeMessage, encodeMessage, KEEPALIVE_BYTES, type DecodedMessage } from './message.js';
export { decodeUpdate, type DecodedUpdate, type UpdateAction } from './update.js';
export { encodeAttributes, attributesLength, encodeUpdate, updateLength } from './update-encode.js';
export { packUpdates, packWithdrawals, encodeEndOfRib, type PackOptions } from './pack.js';
export { decodeOpen, encodeOpen, BGP_VERSION } from './open.js';
export { validateOpen, peerAsOf, findCapability, type OpenExpectations } from './validate-open.js';
export { encodeNotification, encodeShutdownNotification, decodeShutdownMessage, notificationFromError, MAX_SHUTDOWN_MESSAGE_BYTES } from './notification.js';
export { encodeRouteRefresh, routeRefreshSubtypeName, ROUTE_REFRESH_LENGTH, ROUTE_REFRESH_SUBTYPE, type RouteRefreshSubtypeName } from './route-refresh.js';
export { ATTRIBUTE_TABLE, type AttributeRow } from './attributes.js';
export { mergeAs4Path } from './as-path.js';
