import {
  type ChannelOptions,
  credentials,
  type MethodDefinition,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceClientConstructor,
  type ServiceDefinition,
  type ServiceError,
  type StatusObject,
  status,
} from "@grpc/grpc-js";
import {
  type Hello,
  PeerEnvelope,
  type PeerMessage,
  PeerServiceService,
} from "../gen/paddock/internal/v1/peer.js";
import { assert } from "../util/assert.js";
import { PaddockError } from "../util/paddock-error.js";
import {
  type AcceptedCall,
  type DialedCall,
  encodePeerMessage,
  envelopeOf,
  framedSize,
  newPeerTransportStats,
  PeerLink,
  type PeerTransportStats,
} from "./peer-link.js";
import {
  address,
  type PeerEndpoint,
  type PeerTransportOptions,
  validatePeerTransportOptions,
} from "./peer-transport-options.js";

export type { PeerTransportStats } from "./peer-link.js";
export type { PeerEndpoint, PeerTransportOptions } from "./peer-transport-options.js";

/** Hello.protocolVersion of this build; a peer with another version is refused. */
export const peerProtocolVersion = 1;

interface Dialer {
  peer: PeerEndpoint;
  backoffMs: number;
  timer: NodeJS.Timeout | undefined;
  client: InstanceType<ServiceClientConstructor> | undefined;
}

/**
 * Member-to-member streams (proto/paddock/internal/v1/peer.proto): one bidirectional gRPC stream
 * per member pair, dialed by the member with the higher id, which sends Hello first; the listener
 * checks it and answers with its own Hello, and from then on both sides are up and carry
 * envelopes. Messages are encoded at send(), queued per peer and flushed once per event-loop turn.
 * Each direction is FIFO; a broken stream is reported as onPeerDown and never reordered or resent:
 * the ZAB core retransmits or re-elects.
 */
export class PeerTransport {
  readonly stats: PeerTransportStats = newPeerTransportStats();
  private readonly options: PeerTransportOptions;
  /** The configured members; others may still dial us (a joiner a reconfig has not added yet). */
  private peerIds: ReadonlySet<number>;
  /** The current link per peer: dialed ones from the dial on, accepted ones from their Hello. */
  private readonly links = new Map<number, PeerLink>();
  /** Accepted streams whose Hello has not arrived yet. */
  private readonly handshaking = new Set<PeerLink>();
  private readonly dialers = new Map<number, Dialer>();
  private readonly toFlush: PeerLink[] = [];
  private flushHandle: NodeJS.Immediate | undefined = undefined;
  private server: Server | undefined = undefined;
  private readonly clientConstructor: ServiceClientConstructor;
  private readonly serviceDefinition: ServiceDefinition;
  private readonly channelOptions: ChannelOptions;
  private readonly serverOptions: ChannelOptions;
  private readonly handshakeTimeoutMs: number;
  private readonly helloBytes: Buffer;
  private state: "new" | "started" | "stopped" = "new";

  constructor(options: PeerTransportOptions) {
    validatePeerTransportOptions(options);
    this.options = options;
    this.peerIds = new Set(options.peers.map((p) => p.id));
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 5000;
    const keepalive = {
      "grpc.keepalive_time_ms": options.keepaliveTimeMs ?? 1000,
      "grpc.keepalive_timeout_ms": options.keepaliveTimeoutMs ?? 1000,
    };
    this.channelOptions = {
      ...keepalive,
      "grpc.keepalive_permit_without_calls": 1,
      "grpc.max_send_message_length": options.messageBytesMax,
      "grpc.max_receive_message_length": options.messageBytesMax,
      // Retries would buffer outgoing messages per call; a broken peer stream is never retried.
      "grpc.enable_retries": 0,
      // A fresh channel per dial: no connection backoff shared with earlier attempts.
      "grpc.use_local_subchannel_pool": 1,
    };
    // The generated service with pass-through serializers: the flush writes envelopes it has
    // already encoded from per-message bytes; the receive side decodes with the generated code.
    const stats = this.stats;
    const decode = (bytes: Buffer): PeerEnvelope => {
      stats.receivedBytes += bytes.length;
      return PeerEnvelope.decode(bytes);
    };
    const passThrough = (bytes: Buffer): Buffer => bytes;
    // Each side uses one serializer and one deserializer, so the halves have different types.
    const stream: MethodDefinition<Buffer | PeerEnvelope, Buffer | PeerEnvelope> = {
      ...PeerServiceService.stream,
      requestSerialize: passThrough as (value: Buffer | PeerEnvelope) => Buffer,
      requestDeserialize: decode,
      responseSerialize: passThrough as (value: Buffer | PeerEnvelope) => Buffer,
      responseDeserialize: decode,
    };
    this.serviceDefinition = { stream };
    this.clientConstructor = makeGenericClientConstructor(
      this.serviceDefinition,
      "paddock.internal.v1.PeerService",
    );
    this.helloBytes = envelopeOf([
      encodePeerMessage({
        kind: {
          $case: "hello",
          value: { serverId: options.myId, protocolVersion: peerProtocolVersion, ensemble: options.ensemble },
        },
      }),
    ]);
    this.serverOptions = {
      ...keepalive,
      "grpc.max_send_message_length": options.messageBytesMax,
      "grpc.max_receive_message_length": options.messageBytesMax,
    };
  }

  /** Binds the peer listener (its own gRPC server) and starts dialing; resolves with the bound port. */
  async start(): Promise<number> {
    assert(this.state === "new", `PeerTransport.start() called when ${this.state}`);
    this.state = "started";
    const server = new Server(this.serverOptions);
    server.addService(this.serviceDefinition, {
      stream: (call: AcceptedCall) => this.accept(call),
    });
    this.server = server;
    const { listenHost, listenPort } = this.options;
    const port = await new Promise<number>((resolve, reject) => {
      const serverCredentials = this.options.credentials?.server ?? ServerCredentials.createInsecure();
      server.bindAsync(address(listenHost, listenPort), serverCredentials, (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    this.options.log("info", `peer listener of member ${this.options.myId} on ${address(listenHost, port)}`);
    if (this.state !== "started") return port;
    for (const peer of this.options.peers) this.startDialing(peer);
    return port;
  }

  /** Dials `peer` if the rule says we do (the higher id dials the lower). */
  private startDialing(peer: PeerEndpoint): void {
    if (peer.id > this.options.myId) return;
    const dialer: Dialer = {
      peer,
      backoffMs: this.options.reconnectMinMs,
      timer: undefined,
      client: undefined,
    };
    this.dialers.set(peer.id, dialer);
    this.dial(dialer);
  }

  /**
   * The members changed (a reconfig): dial new lower ids, stop dialing and close the streams of
   * members no longer listed; a changed address is dialed next time. Streams from unlisted
   * members that dialed us stay until they end.
   */
  setPeers(peers: readonly PeerEndpoint[]): void {
    const next = new Map(peers.filter((p) => p.id !== this.options.myId).map((p) => [p.id, p]));
    this.peerIds = new Set(next.keys());
    if (this.state !== "started") return;
    for (const [id, dialer] of [...this.dialers]) {
      const peer = next.get(id);
      if (peer !== undefined) {
        // A new address is used from the next dial on: an open stream is not broken for it.
        dialer.peer = peer;
        continue;
      }
      this.dialers.delete(id);
      const link = this.links.get(id);
      if (link?.dialed) this.close(link, "member left the configuration", "info", status.CANCELLED);
      clearTimeout(dialer.timer);
      dialer.timer = undefined;
      dialer.client?.close();
      dialer.client = undefined;
    }
    for (const peer of next.values()) if (!this.dialers.has(peer.id)) this.startDialing(peer);
  }

  /**
   * Queues `message` for `to`, written with everything else queued this turn at the next flush.
   * Returns false and drops it when there is no open stream to `to` or its queue overflows (the
   * stream is then closed and onPeerDown follows in a microtask, never from inside send()).
   * Throws for a Hello, an empty message, or one above messageBytesMax.
   */
  send(to: number, message: PeerMessage): boolean {
    const kind = message.kind;
    assert(
      kind !== undefined && kind.$case !== "hello",
      `send of ${kind?.$case ?? "an empty message"} to ${to}`,
    );
    const bytes = encodePeerMessage(message);
    const framed = framedSize(bytes.length);
    if (framed > this.options.messageBytesMax)
      throw new RangeError(
        `PeerMessage ${kind.$case} to member ${to} is ${bytes.length} bytes (${framed} in an envelope), ` +
          `above messageBytesMax ${this.options.messageBytesMax}`,
      );
    const link = this.links.get(to);
    if (link === undefined || !link.up) {
      this.stats.droppedMessages++;
      return false;
    }
    if (link.queuedBytes + framed > this.options.queueBytesMax) {
      this.stats.droppedMessages++;
      this.stats.queueOverflows++;
      this.close(
        link,
        `outbound queue of ${link.queuedBytes} bytes plus ${framed} exceeds queueBytesMax ${this.options.queueBytesMax}`,
        "warn",
        status.RESOURCE_EXHAUSTED,
        true,
      );
      return false;
    }
    link.enqueue(bytes, framed);
    if (!link.flushListed) {
      link.flushListed = true;
      this.toFlush.push(link);
    }
    if (this.flushHandle === undefined) this.flushHandle = setImmediate(this.flush);
    return true;
  }

  isConnected(id: number): boolean {
    return this.links.get(id)?.up === true;
  }

  /**
   * Closes every stream (reporting onPeerDown for those that were up), stops dialing and shuts the
   * listener down. Queued messages are dropped.
   */
  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    this.state = "stopped";
    if (this.flushHandle !== undefined) clearImmediate(this.flushHandle);
    this.flushHandle = undefined;
    for (const dialer of this.dialers.values()) {
      clearTimeout(dialer.timer);
      dialer.timer = undefined;
    }
    for (const link of [...this.links.values(), ...this.handshaking])
      this.close(link, "transport stopping", "info", status.UNAVAILABLE, false);
    for (const dialer of this.dialers.values()) {
      dialer.client?.close();
      dialer.client = undefined;
    }
    this.toFlush.length = 0;
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    // tryShutdown closes the listening socket and reports when it and every session are closed;
    // forceShutdown then destroys the sessions at once, so the port is free when stop() resolves.
    const closed = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
    await closed;
  }

  private readonly flush = (): void => {
    this.flushHandle = undefined;
    const links = this.toFlush;
    for (let i = 0; i < links.length; i++) {
      const link = links[i]!;
      link.flushListed = false;
      if (!link.closed) link.flush(this.stats);
    }
    links.length = 0;
  };

  private dial(dialer: Dialer): void {
    dialer.timer = undefined;
    if (this.state !== "started") return;
    const { id, host, port } = dialer.peer;
    const client = new this.clientConstructor(
      address(host, port),
      this.options.credentials?.channel() ?? credentials.createInsecure(),
      this.channelOptions,
    );
    dialer.client = client;
    const call = (client as unknown as { stream(): DialedCall }).stream();
    const link = new PeerLink(id, true, call, this.options.messageBytesMax);
    this.links.set(id, link);
    this.armHandshakeTimer(link);
    call.on("data", (envelope: PeerEnvelope) => this.receive(link, envelope));
    call.on("status", (s: StatusObject) =>
      this.close(
        link,
        `stream ended: ${status[s.code]} ${s.details}`,
        s.code === status.OK ? "info" : "warn",
      ),
    );
    call.on("error", (e: ServiceError) =>
      this.close(link, `stream failed: ${status[e.code]} ${e.details}`, "warn"),
    );
    link.write(this.helloBytes);
  }

  private accept(call: AcceptedCall): void {
    if (this.state !== "started") {
      call.emit("error", { code: status.UNAVAILABLE, details: `member ${this.options.myId} is stopping` });
      return;
    }
    // Each known peer dials at most once at a time; more pending handshakes is a misbehaving client.
    if (this.handshaking.size >= 2 * this.peerIds.size + 2) {
      this.stats.refusedStreams++;
      call.emit("error", {
        code: status.RESOURCE_EXHAUSTED,
        details: `member ${this.options.myId} has ${this.handshaking.size} streams waiting for Hello`,
      });
      return;
    }
    const link = new PeerLink(0, false, call, this.options.messageBytesMax);
    this.handshaking.add(link);
    this.armHandshakeTimer(link);
    call.on("data", (envelope: PeerEnvelope) => this.receive(link, envelope));
    // A lost connection (keepalive timeout, reset) ends the read side too, before "cancelled".
    call.on("end", () =>
      this.close(link, "the dialer's side ended (stream closed or connection lost)", "warn", status.OK),
    );
    call.on("cancelled", () => this.close(link, "stream cancelled by the dialer or the connection", "warn"));
    call.on("error", (e: ServiceError) => this.close(link, `stream failed: ${e.message}`, "warn"));
  }

  private armHandshakeTimer(link: PeerLink): void {
    const ms = this.handshakeTimeoutMs;
    link.handshakeTimer = setTimeout(
      () => this.close(link, `no Hello within handshakeTimeoutMs ${ms}`, "warn", status.DEADLINE_EXCEEDED),
      ms,
    );
  }

  private receive(link: PeerLink, envelope: PeerEnvelope): void {
    if (link.closed) return;
    const messages = envelope.messages;
    if (!link.up) {
      const first = messages[0]?.kind;
      const hello = first?.$case === "hello" ? first.value : undefined;
      const refusal =
        hello === undefined || messages.length !== 1
          ? "the first envelope must hold exactly one Hello"
          : link.dialed
            ? this.checkListenerHello(link.peerId, hello)
            : this.checkDialerHello(hello);
      if (refusal !== undefined) {
        this.stats.refusedStreams++;
        const code = hello === undefined ? status.INVALID_ARGUMENT : status.FAILED_PRECONDITION;
        this.close(link, `member ${this.options.myId} refuses the stream: ${refusal}`, "warn", code);
        return;
      }
      this.established(link, hello!.serverId);
      return;
    }
    this.stats.receivedEnvelopes++;
    const onMessage = this.options.onMessage;
    const from = link.peerId;
    for (let i = 0; i < messages.length; i++) {
      if (link.closed) return;
      const message = messages[i]!;
      if (message.kind?.$case === "hello") {
        this.close(link, "Hello after the handshake", "warn", status.INVALID_ARGUMENT);
        return;
      }
      this.stats.receivedMessages++;
      try {
        onMessage(from, message);
      } catch (error) {
        // A malformed message (PaddockError from its decoder) ends this stream, never the member;
        // thrown from a gRPC data handler it would be an uncaught exception. Anything else is ours.
        if (!(error instanceof PaddockError)) throw error;
        this.close(
          link,
          `member ${from} sent a malformed message: ${error.message}`,
          "warn",
          status.INVALID_ARGUMENT,
        );
        return;
      }
    }
  }

  private checkDialerHello(hello: Hello): string | undefined {
    const myId = this.options.myId;
    // An id we do not list is accepted: a joiner syncs with the leader before a reconfig adds it.
    if (hello.serverId <= myId)
      return `Hello from member ${hello.serverId}, not above ${myId}: the higher id dials the lower`;
    return this.checkCommon(hello);
  }

  private checkListenerHello(expectedId: number, hello: Hello): string | undefined {
    if (hello.serverId !== expectedId)
      return `the listener at ${this.describe(expectedId)} says it is member ${hello.serverId}, expected ${expectedId}`;
    return this.checkCommon(hello);
  }

  private checkCommon(hello: Hello): string | undefined {
    if (hello.protocolVersion !== peerProtocolVersion)
      return `member ${hello.serverId} speaks protocol version ${hello.protocolVersion}, this member ${peerProtocolVersion}`;
    // Members' configurations differ while a reconfig spreads: the ensemble string is only logged.
    if (hello.ensemble !== this.options.ensemble)
      this.options.log(
        "info",
        `member ${hello.serverId} has ensemble ${JSON.stringify(hello.ensemble)}, this member ${JSON.stringify(this.options.ensemble)}`,
      );
    return undefined;
  }

  private describe(id: number): string {
    const peer = this.dialers.get(id)?.peer;
    return peer === undefined ? `member ${id}` : address(peer.host, peer.port);
  }

  private established(link: PeerLink, id: number): void {
    clearTimeout(link.handshakeTimer);
    link.handshakeTimer = undefined;
    if (link.dialed) {
      const dialer = this.dialers.get(id);
      if (dialer !== undefined) dialer.backoffMs = this.options.reconnectMinMs;
    } else {
      this.handshaking.delete(link);
      link.peerId = id;
      const old = this.links.get(id);
      if (old !== undefined)
        this.close(old, `replaced by a new stream from member ${id}`, "info", status.ABORTED, false);
      this.links.set(id, link);
      link.write(this.helloBytes);
    }
    link.up = true;
    this.options.log(
      "info",
      `member ${this.options.myId}: stream to member ${id} up (${link.dialed ? "dialed" : "accepted"})`,
    );
    this.options.onPeerUp?.(id);
  }

  /**
   * Closes a link once: drops its queue, ends the call when `code` is given (we are the side
   * closing), reports down if it was up (in a microtask when `deferDown`), and schedules the next
   * dial of a dialed peer.
   */
  private close(link: PeerLink, why: string, level: "info" | "warn", code?: status, deferDown = false): void {
    if (link.closed) return;
    link.closed = true;
    clearTimeout(link.handshakeTimer);
    link.handshakeTimer = undefined;
    link.dropQueue();
    this.handshaking.delete(link);
    const id = link.peerId;
    if (this.links.get(id) === link) this.links.delete(id);
    if (code !== undefined) link.terminate(code, why);
    const wasUp = link.up;
    link.up = false;
    const who = id === 0 ? "an unidentified member" : `member ${id}`;
    this.options.log(
      level,
      `member ${this.options.myId}: stream ${link.dialed ? "to" : "from"} ${who} closed: ${why}`,
    );
    const dialer = link.dialed ? this.dialers.get(id) : undefined;
    if (dialer !== undefined) this.redial(dialer);
    if (!wasUp) return;
    if (deferDown) queueMicrotask(() => this.options.onPeerDown(id));
    else this.options.onPeerDown(id);
  }

  private redial(dialer: Dialer): void {
    dialer.client?.close();
    dialer.client = undefined;
    if (this.state !== "started") return;
    const ceiling = dialer.backoffMs;
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    dialer.backoffMs = Math.min(ceiling * 2, this.options.reconnectMaxMs);
    dialer.timer = setTimeout(() => this.dial(dialer), delay);
  }
}
