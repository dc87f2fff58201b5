// SPDX-License-Identifier: MIT
/**
 * zmqkit: ZeroMQ (ZMTP 3.x) in pure TypeScript for Deno and Bun, with an API shaped like
 * zeromq.js v6.
 *
 * @example Push and pull
 * ```ts
 * import { Pull, Push } from "zmqkit";
 * const pull = new Pull();
 * await pull.bind("tcp://127.0.0.1:*");
 * const push = new Push();
 * push.connect(pull.lastEndpoint!);
 * await push.send(["hello", "world"]);
 * const [a, b] = await pull.receive();
 * push.close();
 * pull.close();
 * ```
 */
export { Pair } from "./lib/sockets/pair.ts";
export { Publisher } from "./lib/sockets/pub.ts";
export { Subscriber } from "./lib/sockets/sub.ts";
export { XPublisher } from "./lib/sockets/xpub.ts";
export { XSubscriber } from "./lib/sockets/xsub.ts";
export { Request } from "./lib/sockets/req.ts";
export { Reply } from "./lib/sockets/rep.ts";
export { Dealer } from "./lib/sockets/dealer.ts";
export { Router } from "./lib/sockets/router.ts";
export { Push } from "./lib/sockets/push.ts";
export { Pull } from "./lib/sockets/pull.ts";
export { Stream } from "./lib/sockets/stream.ts";
// draft types (RFC 41, 48, 49, 51, 52), zeromq.js's "zeromq/draft" class names
export { Client, RoutedSocket, type RoutingOptions, Server } from "./lib/sockets/client_server.ts";
export {
  Dish,
  type GroupOptions,
  MAX_GROUPS_PER_PEER,
  Radio,
  type ReceivedGroup,
  type UdpCounters,
} from "./lib/sockets/radio_dish.ts";
export { Gather, Scatter } from "./lib/sockets/scatter_gather.ts";
export { Channel, Peer } from "./lib/sockets/peer_channel.ts";
export { Socket } from "./lib/sockets/socket.ts";
export {
  createSocket,
  draftSocketClasses,
  socketClasses,
  type SocketTypeName,
  socketTypeNames,
  socketTypeOf,
} from "./lib/sockets/registry.ts";
export { DuplexSocket, ReadableSocket, WritableSocket } from "./lib/sockets/capabilities.ts";
export {
  AuthError,
  type AuthStatus,
  ErrorCode,
  ProtocolError,
  ProtocolErrorCode,
  ZmqError,
} from "./lib/errors.ts";
export type { ZapAnswer, ZapHandler, ZapRequest } from "./lib/zap/handler.ts";
export { ZAP_ENDPOINT } from "./lib/zap/inproc_client.ts";
export { messageProperties } from "./lib/engine/properties.ts";
export { zapPolicy } from "./lib/zap/policy.ts";
export { curveKeyPair, curvePublic } from "./lib/mechanisms/curve_keys.ts";
export { formatCertificate, parseCertificate } from "./lib/mechanisms/certificate.ts";
export type { Certificate } from "./lib/mechanisms/certificate.ts";
export { curveKeysIn, loadCertificate } from "./lib/zap/certificates.ts";
export { z85Decode, z85Encode } from "./lib/mechanisms/z85.ts";
export { VERSION } from "./lib/version.ts";
export type { ZapPolicy } from "./lib/zap/policy.ts";
export type { MessageProperties } from "./lib/engine/properties.ts";
export { SocketType } from "./lib/wire/constants.ts";

export type { FrameLike, MessageLike } from "./lib/sockets/message.ts";
export type { Message } from "./lib/pipe.ts";
export { SocketEvents } from "./lib/events.ts";
export type { EventOfType, SocketEvent, SocketEventType } from "./lib/events.ts";
export { OPTIONS as optionTable } from "./lib/sockets/options.ts";
export type {
  CommonOptionName,
  CommonOptionProperties,
  DealerOptions,
  OptionInput,
  OptionName,
  OptionsOf,
  OptionSpec,
  OptionTable,
  PublisherOptions,
  RadioOptions,
  RequestOptions,
  RouterOptions,
  SocketOptions,
  SpecificOptionName,
  SubscriberOptions,
  TypeOptionProperties,
  Verbosity,
  XPublisherOptions,
} from "./lib/sockets/options.ts";
export { decodeStatistics, Proxy, proxy, socketGauges } from "./lib/proxy.ts";
export type { Counter, ProxyOptions, ProxySocket, ProxyStatistics } from "./lib/proxy.ts";
export { LoadBalancingBroker } from "./lib/patterns/lb.ts";
export type { LoadBalancerStatistics, RouterLike } from "./lib/patterns/lb.ts";
export { BinaryStar, BinaryStarError, binaryStarStep } from "./lib/patterns/binary_star.ts";
export type {
  BinaryStarChange,
  BinaryStarEvent,
  BinaryStarFault,
  BinaryStarOptions,
  BinaryStarState,
  BinaryStarStatistics,
  BinaryStarStep,
  BinaryStarVoter,
} from "./lib/patterns/binary_star.ts";
export { MajordomoBroker } from "./lib/patterns/mdp.ts";
export type { MajordomoOptions, MajordomoStatistics } from "./lib/patterns/mdp.ts";
export { MajordomoClient } from "./lib/patterns/mdp_client.ts";
export type {
  MajordomoClientOptions,
  MajordomoClientStatistics,
  MajordomoRequestOptions,
} from "./lib/patterns/mdp_client.ts";
export { MajordomoWorker } from "./lib/patterns/mdp_worker.ts";
export type {
  MajordomoRequest,
  MajordomoWorkerOptions,
  MajordomoWorkerStatistics,
} from "./lib/patterns/mdp_worker.ts";
export { Beacon } from "./lib/discovery/beacons.ts";
export type { BeaconOptions, BeaconStatistics } from "./lib/discovery/beacons.ts";
export type { BeaconEvent, BeaconPeer, DisappearReason } from "./lib/discovery/peer_table.ts";
export { decodeBeacon, encodeBeacon, ZRE_DISCOVERY_PORT } from "./lib/discovery/beacon.ts";
export type { BeaconData } from "./lib/discovery/beacon.ts";
export {
  decodeLayout,
  encodeLayout,
  LayoutEncodeError,
  LayoutSyntaxError,
  parseLayout,
} from "./lib/dump/layout/mod.ts";
export type {
  Count as LayoutCount,
  Field as LayoutField,
  FloatType as LayoutFloatType,
  IntType as LayoutIntType,
  Item as LayoutItem,
  Layout,
  LayoutResult,
  LayoutValue,
} from "./lib/dump/layout/mod.ts";
export type { JsonValue } from "./lib/dump/events.ts";
export {
  createKvmsg,
  decodeKvmsg,
  encodeKvmsg,
  KvMap,
  KVMSG_MAX_KEY,
  KVMSG_MAX_PROPERTIES,
  KvmsgError,
  newUuid,
} from "./lib/patterns/kvmsg.ts";
export type { Kvmsg, KvmsgFormat } from "./lib/patterns/kvmsg.ts";
export { cloneEndpoints, CloneServer } from "./lib/patterns/clone_server.ts";
export type {
  CloneEndpoints,
  CloneServerEvent,
  CloneServerOptions,
} from "./lib/patterns/clone_server.ts";
export { CloneClient } from "./lib/patterns/clone_client.ts";
export type { CloneClientEvent, CloneClientOptions } from "./lib/patterns/clone_client.ts";
