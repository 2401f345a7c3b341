/**
 * The route engine's change feed as log lines: what an operator needs to know about
 * routes, once, never per message.
 *
 *   warn  a path rejected, with why — once per change of verdict of that path (a peer
 *         that sends the same rejected route again logs nothing new); a path that would
 *         be rejected under --route-policy warn — once per path and reason; a prefix limit
 *         crossed — once per crossing, not per path; an UPDATE handled per RFC 7606
 *   info  a path accepted after it was rejected; stale paths kept and swept (graceful
 *         restart, route refresh); route refresh requests; import policy re-applied;
 *         tables released (RFC 4724 §4.1)
 *
 * The only state is what makes "once" true for policy warnings: the last warning per path,
 * forgotten when the path goes.
 */
import { formatPrefix, prefixKey, type Prefix } from '@bgp-rr/bgp-speaker';
import type { RouteListener } from '../engine/feed.js';
import type { RouteEvent } from '../engine/vocabulary.js';
import { familyText } from './families.js';

export interface RouteLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export function routeLogs(log: RouteLogger): RouteListener {
  /** peer → "family prefixKey pathId" → the warning last logged. */
  const warned = new Map<string, Map<string, string>>();
  const key = (family: number, prefix: Prefix, pathId: number): string => `${family} ${prefixKey(prefix)} ${pathId}`;
  const forgetWarning = (peer: string, k: string): void => {
    const m = warned.get(peer);
    if (m?.delete(k) === true && m.size === 0) warned.delete(peer);
  };

  return (e: RouteEvent): void => {
    switch (e.type) {
      case 'pathRejected': {
        if (warned.has(e.peer)) forgetWarning(e.peer, key(e.family, e.path.prefix, e.path.pathId));
        // Limit rejections are logged once per crossing (limitExceeded) and RFC 7606 ones once
        // per UPDATE (updateErrors), never per path.
        if (e.rejection.kind === 'limit' || e.rejection.kind === 'treat-as-withdraw') return;
        const was = e.replaced?.rejected;
        if (was != null && was.kind === e.rejection.kind && was.text === e.rejection.text) return;
        log.warn({ peer: e.peer, node: e.node, prefix: formatPrefix(e.path.prefix), pathId: e.path.pathId, kind: e.rejection.kind, reason: e.rejection.text }, 'route rejected');
        return;
      }
      case 'pathAccepted':
        if (e.replaced?.rejected != null) log.info({ peer: e.peer, node: e.node, prefix: formatPrefix(e.path.prefix), pathId: e.path.pathId, was: e.replaced.rejected.text }, 'route accepted (was rejected)');
        return;
      case 'pathWithdrawn':
        if (warned.has(e.peer)) forgetWarning(e.peer, key(e.family, e.path.prefix, e.path.pathId));
        return;
      case 'policyWarning': {
        const k = key(e.family, e.prefix, e.pathId);
        let m = warned.get(e.peer);
        if (m?.get(k) === e.warning) return;
        if (m === undefined) warned.set(e.peer, (m = new Map()));
        m.set(k, e.warning);
        log.warn({ peer: e.peer, node: e.node, prefix: formatPrefix(e.prefix), pathId: e.pathId, reason: e.warning }, 'route would be rejected (--route-policy warn): accepted');
        return;
      }
      case 'updateErrors':
        log.warn({ peer: e.peer, node: e.node, action: e.action, errors: e.errors }, `malformed UPDATE handled per RFC 7606 (${e.action})`);
        return;
      case 'limitExceeded': {
        const o = { peer: e.peer, node: e.node, family: familyText(e.family), limit: e.limit, action: e.action, firstPrefix: formatPrefix(e.prefix) };
        if (e.action === 'cease') log.warn({ ...o, reconnectInSeconds: Math.round((e.reconnectInMs ?? 0) / 1000), attempt: e.attempt }, 'prefix limit exceeded: session closed with Cease 6/1 (RFC 4486), kept down for the backoff');
        else if (e.action === 'block') log.warn(o, 'prefix limit reached: paths past it are dropped (--max-prefixes-action block)');
        else log.warn(o, 'prefix limit exceeded: paths still accepted (--max-prefixes-action warn)');
        return;
      }
      case 'limitCleared':
        log.info({ peer: e.peer, node: e.node, family: familyText(e.family), limit: e.limit }, 'back under the prefix limit');
        return;
      case 'staleMarked':
        log.info(
          { peer: e.peer, node: e.node, family: familyText(e.family), stale: e.count },
          e.cause === 'graceful-restart' ? 'routes kept as stale: graceful restart (RFC 4724 §4.2)' : 'routes marked stale: the peer re-advertises (RFC 7313 BoRR)',
        );
        return;
      case 'staleSwept':
        log.info({ peer: e.peer, node: e.node, family: e.family === undefined ? 'all' : familyText(e.family), withdrawn: e.count, reason: e.reason }, 'stale routes swept');
        return;
      case 'routeRefresh': {
        const o = { peer: e.peer, node: e.node, family: familyText(e.family), subtype: e.subtype, enhanced: e.enhanced };
        if (e.ignored !== undefined) log.info({ ...o, why: e.ignored }, 'ROUTE-REFRESH ignored');
        else if (e.subtype === 'request') log.info(o, `route refresh requested: sending the ${familyText(e.family)} table again (${e.enhanced ? 'RFC 7313, between BoRR and EoRR' : 'RFC 2918'})`);
        else log.debug(o, 'ROUTE-REFRESH demarcation received (RFC 7313)');
        return;
      }
      case 'policyApplied':
        if (e.changed > 0) log.info({ paths: e.changed }, 'import policy re-evaluated: verdicts changed');
        return;
      case 'tablesReleased':
        log.info({ reason: e.reason }, 'tables released to peers (RFC 4724 §4.1)');
        return;
      case 'peerUp':
      case 'peerDown':
      case 'bestChanged':
        return; // sessions are logged by the daemon with their FSM reasons; best paths are too many
    }
  };
}
