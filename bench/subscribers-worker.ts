/**
 * A process of WebSocket subscribers for the subscriptions scenario: speaks graphql-ws
 * (graphql-transport-ws) over the raw `ws` package, one socket and one subscription per client,
 * and measures how long each event took to arrive. Driven by its parent over IPC (see
 * SubscribersCommand); run with `node -r @swc-node/register bench/subscribers-worker.ts`.
 *
 * Every event the scenario writes is a ticket note "bench <kind> <id> <sentAtMs>": the receipt
 * time minus sentAtMs (both wall clocks of this machine, at sub-millisecond resolution) is the
 * latency of that delivery.
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import {
  HISTOGRAM_BUCKET_MS,
  HISTOGRAM_BUCKETS,
  type SubscriberClient,
  type SubscribersCommand,
  type SubscribersReply,
} from "./subscriptions-protocol";

/** Sockets opened at once: enough to connect thousands in seconds without a storm of handshakes. */
const CONNECTING_AT_ONCE = 100;

interface ClientState {
  spec: SubscriberClient;
  socket?: WebSocket;
  acked: boolean;
  probed: boolean;
  closedWith?: number;
}

const now = (): number => performance.timeOrigin + performance.now();

let clients: ClientState[] = [];
let histogram = new Uint32Array(HISTOGRAM_BUCKETS);
let overflow: number[] = [];
let measuring = false;
let deliveries = 0;
let errors = 0;
let firstErrors: string[] = [];
let unexpected = 0;
/** Per load note: when its first and its last delivery arrived here. */
let perNote = new Map<number, [number, number]>();

function send(reply: SubscribersReply): void {
  process.send?.(reply);
}

function record(latencyMs: number): void {
  const bucket = Math.max(0, Math.floor(latencyMs / HISTOGRAM_BUCKET_MS));
  if (bucket < HISTOGRAM_BUCKETS) histogram[bucket] += 1;
  else overflow.push(latencyMs);
}

function onMessage(client: ClientState, data: WebSocket.RawData): void {
  const receivedAt = now();
  let message: { type?: string; payload?: { data?: { ticketEvents?: { note?: string | null } }; errors?: unknown } | unknown[] };
  try {
    message = JSON.parse(data.toString()) as typeof message;
  } catch {
    unexpected += 1;
    return;
  }
  switch (message.type) {
    case "connection_ack":
      client.acked = true;
      client.socket?.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: client.spec.query } }));
      return;
    case "ping":
      client.socket?.send(JSON.stringify({ type: "pong" }));
      return;
    case "next": {
      const payload = message.payload as { data?: { ticketEvents?: { note?: string | null } }; errors?: unknown };
      if (payload.errors) {
        errors += 1;
        if (firstErrors.length < 5) firstErrors.push(JSON.stringify(payload.errors));
        return;
      }
      const note = payload.data?.ticketEvents?.note ?? "";
      const [tag, kind, noteId, sentAt] = note.split(" ");
      if (tag !== "bench") return;
      if (kind === "probe") client.probed = true;
      else if (kind === "load" && measuring) {
        deliveries += 1;
        record(receivedAt - Number(sentAt));
        const id = Number(noteId);
        const seen = perNote.get(id);
        if (!seen) perNote.set(id, [receivedAt, receivedAt]);
        else {
          seen[0] = Math.min(seen[0], receivedAt);
          seen[1] = Math.max(seen[1], receivedAt);
        }
      }
      return;
    }
    case "error":
    case "complete":
      errors += 1;
      if (firstErrors.length < 5) firstErrors.push(data.toString().slice(0, 500));
      return;
    default:
      unexpected += 1;
  }
}

function open(wsUrl: string, client: ClientState): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, "graphql-transport-ws", { perMessageDeflate: false });
    client.socket = socket;
    let settled = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    socket.on("open", () => {
      socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${client.spec.token}` } }));
    });
    socket.on("message", (data) => {
      onMessage(client, data);
      if (client.acked) settle();
    });
    socket.on("error", (error) => {
      if (firstErrors.length < 5) firstErrors.push(`socket error: ${error.message}`);
      settle();
    });
    socket.on("close", (code) => {
      client.closedWith = code;
      settle();
    });
  });
}

async function connectAll(wsUrl: string, specs: SubscriberClient[]): Promise<void> {
  clients = specs.map((spec) => ({ spec, acked: false, probed: false }));
  let next = 0;
  const lane = async () => {
    while (next < clients.length) await open(wsUrl, clients[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(CONNECTING_AT_ONCE, clients.length) }, lane));
}

function status(): SubscribersReply {
  const unprobed = new Set<number>();
  let acked = 0;
  let closed = 0;
  const closeCodes: Record<string, number> = {};
  for (const c of clients) {
    if (c.acked) acked += 1;
    if (c.closedWith !== undefined) {
      closed += 1;
      closeCodes[c.closedWith] = (closeCodes[c.closedWith] ?? 0) + 1;
    } else if (!c.probed) unprobed.add(c.spec.group);
  }
  return {
    type: "status",
    clients: clients.length,
    acked,
    closed,
    closeCodes,
    unprobedGroups: [...unprobed],
    deliveries,
    errors,
    firstErrors,
  };
}

function report(): SubscribersReply {
  const buckets: Array<[number, number]> = [];
  for (let i = 0; i < histogram.length; i++) if (histogram[i] > 0) buckets.push([i, histogram[i]]);
  return { type: "report", deliveries, buckets, overflow, errors, firstErrors, unexpected, perNote: [...perNote] };
}

process.on("message", (command: SubscribersCommand) => {
  switch (command.type) {
    case "connect":
      void connectAll(command.wsUrl, command.clients).then(() => send(status()));
      return;
    case "status":
      send(status());
      return;
    case "measure":
      histogram = new Uint32Array(HISTOGRAM_BUCKETS);
      overflow = [];
      deliveries = 0;
      errors = 0;
      firstErrors = [];
      unexpected = 0;
      perNote = new Map();
      measuring = true;
      send({ type: "measuring" });
      return;
    case "report":
      measuring = false;
      send(report());
      return;
    case "close": {
      for (const c of clients) c.socket?.terminate();
      clients = [];
      send({ type: "closed" });
      setTimeout(() => process.exit(0), 50);
      return;
    }
  }
});

process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
