// SPDX-License-Identifier: MIT
/**
 * What cli/, bench/ and tests/ use of the implementation beyond mod.ts, from one place (as
 * nats.js has internal_mod.ts): tools and tests never import deeper paths. Not a public API:
 * names here may change in any release.
 */
export { openLatClient, openLatServer } from "./bench/lat.ts";
export { LAT_PATTERNS, THR_PATTERNS } from "./bench/patterns.ts";
export type { LatPattern, ThrPattern } from "./bench/patterns.ts";
export { latLines, latRow, thrLines, thrRow } from "./bench/report.ts";
export type { RowContext } from "./bench/report.ts";
export { runLat, runThr } from "./bench/run.ts";
export type { HalfOptions, Transport } from "./bench/run.ts";
export { histogram, percentile, renderHistogram, spread, summarizeLatency } from "./bench/stats.ts";
export { openThrReceiver, openThrSender } from "./bench/thr.ts";
export type { Half } from "./bench/thr.ts";
export { formatRate, formatSize, parseCount, parseDuration, parseSize } from "./bench/units.ts";
export {
  DECODE_HELP,
  decodeBody,
  DecodeSpecError,
  parseDecodeSpec,
  renderBody,
} from "./dump/body.ts";
export type { DecodePlan, FrameBody } from "./dump/body.ts";
export { ConnectionDecoder } from "./dump/connection.ts";
export type { DecoderOptions } from "./dump/connection.ts";
export type { DumpEvent, FrameView, JsonValue, Side } from "./dump/events.ts";
export { HexInputError, parseHexDump } from "./dump/hex_input.ts";
export { decodeLayout, LAYOUT_HELP, LayoutSyntaxError, parseLayout } from "./dump/layout/mod.ts";
export type { LayoutResult } from "./dump/layout/mod.ts";
export { endpointText, formatIpv6, parseIpv4, parseIpv6 } from "./dump/pcap/address.ts";
export { parseTcpPacket } from "./dump/pcap/packet.ts";
export type { TcpSegment } from "./dump/pcap/packet.ts";
export { PcapngWriter } from "./dump/pcap/pcapng_writer.ts";
export { CaptureReader, MAX_BLOCK, MAX_PACKET, readCapture } from "./dump/pcap/reader.ts";
export type { CaptureResult, Packet } from "./dump/pcap/reader.ts";
export { TcpReassembler } from "./dump/pcap/reassembly.ts";
export type { ReassemblyOptions, StreamSide } from "./dump/pcap/reassembly.ts";
export { Relay } from "./dump/relay.ts";
export type { RelayTap } from "./dump/relay.ts";
export { CurveDecoder, isCurveMessage, MAX_SECRET_KEYS } from "./dump/security/curve.ts";
export { boxKey, curvePublicKey } from "./mechanisms/curve_box.ts";
export { describePlain, libzmqPlainError } from "./dump/security/plain.ts";
export { describeMetadata, MAX_VALUE_BYTES } from "./dump/security/render.ts";
export { DirectionDecoder } from "./dump/stream_decoder.ts";
export type { GreetingInfo } from "./dump/stream_decoder.ts";
export { toHex } from "./dump/text.ts";
export { MAX_HEAD, upgradeRequest } from "./dump/ws_http.ts";
export { MessageAssembly } from "./engine/message_assembly.ts";
export { MAX_SETTLE_HOPS, SendBatching, STREAM_BATCH } from "./engine/send_batching.ts";
export { Session } from "./engine/session.ts";
export type { CloseReason, SessionHost, SessionOptions } from "./engine/session_types.ts";
export { ProtocolError, ProtocolErrorCode, ZmqError } from "./errors.ts";
export { SocketEvents } from "./events.ts";
export type { SocketEvent } from "./events.ts";
export { nullMechanism } from "./mechanisms/null.ts";
export { z85Decode, z85Encode } from "./mechanisms/z85.ts";
export type { ProxySocket } from "./proxy.ts";
export { SubscriptionTrie } from "./routing/subscription_trie.ts";
export { NOT_YET, Waiters } from "./sockets/waiters.ts";
export type { Connection, Listener } from "./transports/connection.ts";
export { parseEndpoint } from "./transports/endpoint.ts";
export { isUdpEndpoint, parseUdpEndpoint } from "./transports/udp.ts";
export {
  createFileSink,
  listFiles,
  readFileBytes,
  readFileChunks,
  writeNewTextFile,
} from "./transports/runtime/files.ts";
export { runtimeName, runtimeVersion } from "./transports/runtime/info.ts";
export {
  argv,
  env,
  exit,
  exitLater,
  onSignals,
  runCommand,
  setExitCode,
} from "./transports/runtime/process.ts";
export type { SignalName } from "./transports/runtime/process.ts";
export { socketApi } from "./transports/runtime/sockets.ts";
export { closeStdin, isTerminal, stderr, stdinChunks, stdout } from "./transports/runtime/stdio.ts";
export type { ByteSink } from "./transports/runtime/stdio.ts";
export { ByteQueue } from "./util/byte_queue.ts";
export { concatBytes } from "./util/bytes.ts";
export { receiveSlabs, SlabPool } from "./util/slab_pool.ts";
export { VERSION } from "./version.ts";
export {
  commandName,
  decodeCommand,
  decodeError,
  decodePing,
  decodeReady,
  encodeCancel,
  encodeCommand,
  encodeError,
  encodePing,
  encodePong,
  encodeReady,
  encodeSubscribe,
  encodeSubscriptionMessage,
} from "./wire/command.ts";
export { Flag } from "./wire/constants.ts";
export { FrameDecoder } from "./wire/frame_decoder.ts";
export type { FrameLimits } from "./wire/frame_decoder.ts";
export { encodeFrame, encodeMessage, headerSize, writeHeader } from "./wire/frame_encoder.ts";
export { decodeGreeting, encodeGreeting, GreetingReader, speaks31 } from "./wire/greeting.ts";
export { decodeMetadata, encodeMetadata, getProperty } from "./wire/metadata.ts";
export type { Metadata } from "./wire/metadata.ts";
export * as bunAdapter from "./transports/runtime/bun.ts";
export * as denoAdapter from "./transports/runtime/deno.ts";
export * as nodeAdapter from "./transports/runtime/node.ts";
export { socketCore } from "./sockets/socket.ts";
export { ReplyCore } from "./sockets/rep.ts";
export { SocketCore } from "./sockets/socket_core.ts";
export type { ZapAnswer, ZapHandler, ZapRequest } from "./zap/handler.ts";
export { zapPolicy } from "./zap/policy.ts";
export { zapRequestsWaiting } from "./zap/inproc_client.ts";
export { formatCertificate, parseCertificate } from "./mechanisms/certificate.ts";
export type { Certificate } from "./mechanisms/certificate.ts";
export { curveKey, curveKeyPair, curvePublic } from "./mechanisms/curve_keys.ts";
export { curveKeysIn, loadCertificate } from "./zap/certificates.ts";
export { probeSocketType } from "./sockets/probe.ts";
