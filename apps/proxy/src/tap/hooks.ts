import type { IncomingMessage } from 'node:http';
import type { TapPeer } from '@meshlens/contract';
import type { TapStart } from './tapHub';

/** The local instance as a tap peer. */
export type LocalPeer = Required<Pick<TapPeer, 'namespace' | 'service' | 'workload' | 'pod'>> &
  Pick<TapPeer, 'identity'>;

const SPIFFE_RE = /^spiffe:\/\/[^/]+\/ns\/([^/]+)\/sa\/[^/]+$/;

/** A verified client identity says which namespace the caller runs in. */
function peerFromIdentity(identity: string | undefined, address: string | undefined): TapPeer {
  const ns = identity === undefined ? undefined : SPIFFE_RE.exec(identity)?.[1];
  return {
    ...(identity === undefined ? {} : { identity }),
    ...(ns === undefined ? {} : { namespace: ns }),
    ...(address === undefined ? {} : { address }),
  };
}

export function inboundTapStart(
  req: IncomingMessage,
  local: LocalPeer,
  clientId: string | undefined,
  tls: boolean,
): TapStart {
  return {
    direction: 'inbound',
    method: req.method ?? 'GET',
    authority: req.headers.host ?? '',
    path: req.url ?? '/',
    tls,
    src: peerFromIdentity(clientId, req.socket.remoteAddress),
    dst: local,
    headers: req.headers,
  };
}

export function outboundTapStart(
  req: IncomingMessage,
  local: LocalPeer,
  target: { authority: string; path: string },
  dst: { namespace: string; service: string; workloads: () => readonly string[] } | undefined,
): TapStart {
  return {
    direction: 'outbound',
    method: req.method ?? 'GET',
    authority: target.authority,
    path: target.path,
    // to other proxies the hop is mTLS when this proxy has an identity; the headers event
    // carries the verified server identity
    tls: local.identity !== undefined && dst !== undefined,
    src: local,
    dst: dst === undefined ? {} : { namespace: dst.namespace, service: dst.service },
    ...(dst === undefined ? {} : { dstWorkloads: dst.workloads }),
    headers: req.headers,
  };
}

/** The endpoint an outbound request went to, from its final metric labels. */
export function peerFromLabels(labels: Readonly<Record<string, string | undefined>>): TapPeer {
  const peer: TapPeer = {};
  if (labels.dst_namespace !== undefined) peer.namespace = labels.dst_namespace;
  if (labels.dst_service !== undefined) peer.service = labels.dst_service;
  if (labels.dst_deployment !== undefined) peer.workload = labels.dst_deployment;
  if (labels.dst_pod !== undefined) peer.pod = labels.dst_pod;
  if (labels.server_id !== undefined) peer.identity = labels.server_id;
  return peer;
}
