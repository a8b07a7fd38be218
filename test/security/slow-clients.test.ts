/**
 * Slow clients cannot hold the server's sockets: a connection that sends nothing, headers or a
 * body trickled a byte at a time, and an answer that makes no progress are all cut within the
 * configured HTTP timeouts, while a keep-alive client that behaves is served as usual and a
 * WebSocket subscription, past its upgrade, is not subject to any of them.
 */
import { connect, type Socket } from "node:net";
import pg from "pg";
import { openTicket } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";
import { subscribe } from "../support/subscriber";

const HEADERS_MS = 1000;
const REQUEST_MS = 2000;
const KEEP_ALIVE_MS = 1000;
const IDLE_MS = 1500;
/** How late after its timeout a socket may be closed: the server checks every quarter of the headers timeout, Node gives keep-alive a second more, and a busy machine adds some. */
const SLACK_MS = 2500;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let srv: TestServer;
let me: SignedUp;
beforeAll(async () => {
  srv = await startTestServer({
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_MS),
    HTTP_IDLE_TIMEOUT_MS: String(IDLE_MS),
  });
  me = await srv.signUp();
});
const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});
afterAll(async () => {
  await srv?.close();
});

interface RawSocket {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with the milliseconds from connecting to the server closing the socket, or "open" after `withinMs`. */
  closed(withinMs: number): Promise<number | "open">;
  /** Resolves once the server has sent `count` complete responses (Content-Length bodies). */
  responses(count: number): Promise<Array<{ status: number; body: string }>>;
}

/** A plain TCP connection to the server, which speaks HTTP only as the test writes it. */
async function rawSocket(): Promise<RawSocket> {
  const port = Number(new URL(srv.url).port);
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const openedAt = Date.now();
  let data = "";
  let closedAt: number | undefined;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on("data", (chunk: Buffer) => {
    data += chunk.toString("utf8");
    wake();
  });
  // The server resetting the connection is a close too.
  socket.on("error", () => undefined);
  socket.on("close", () => {
    closedAt = Date.now();
    wake();
  });
  const parse = () => {
    const out: Array<{ status: number; body: string }> = [];
    let rest = data;
    for (;;) {
      const end = rest.indexOf("\r\n\r\n");
      if (end < 0) return out;
      const head = rest.slice(0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? "0");
      if (rest.length < end + 4 + length) return out;
      out.push({ status: Number(head.split(" ")[1]), body: rest.slice(end + 4, end + 4 + length) });
      rest = rest.slice(end + 4 + length);
    }
  };
  const until = (done: () => boolean, withinMs: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, withinMs);
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return {
    socket,
    received: () => data,
    async closed(withinMs) {
      await until(() => closedAt !== undefined, withinMs);
      return closedAt === undefined ? "open" : closedAt - openedAt;
    },
    async responses(count) {
      await until(() => parse().length >= count || closedAt !== undefined, 10_000);
      return parse();
    },
  };
}

/** Writes `text` one byte every `everyMs` while the socket is open. */
function trickle(socket: Socket, text: string, everyMs: number): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return;
    socket.write(text[i++]);
  }, everyMs);
  return () => clearInterval(timer);
}

function postRequest(body: string, token: string, extraHeaders = ""): string {
  return (
    `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}\r\n${body}`
  );
}

describe("HTTP timeouts", () => {
  it("closes a connection that sends nothing within the headers timeout", async () => {
    const raw = await rawSocket();
    const after = await raw.closed(HEADERS_MS + SLACK_MS + 2000);
    expect(after).not.toBe("open");
    expect(after).toBeGreaterThanOrEqual(HEADERS_MS - 100);
    expect(after).toBeLessThanOrEqual(HEADERS_MS + SLACK_MS);
  });

  it("cuts request headers sent one byte at a time at the headers timeout", async () => {
    const raw = await rawSocket();
    const stop = trickle(raw.socket, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${"a".repeat(1000)}`, 100);
    try {
      const after = await raw.closed(HEADERS_MS + SLACK_MS + 2000);
      expect(after).not.toBe("open");
      expect(after).toBeLessThanOrEqual(HEADERS_MS + SLACK_MS);
      expect(raw.received()).not.toMatch(/^HTTP\/1\.1 200/);
    } finally {
      stop();
    }
  });

  it("cuts a body trickled one byte at a time at the whole-request timeout, though each byte comes well within the idle timeout", async () => {
    const raw = await rawSocket();
    const body = JSON.stringify({ query: `{ __typename }`, variables: { pad: "x".repeat(200) } });
    const request = postRequest(body, me.token);
    const headEnd = request.indexOf("\r\n\r\n") + 4;
    raw.socket.write(request.slice(0, headEnd));
    const stop = trickle(raw.socket, request.slice(headEnd), 200);
    try {
      const after = await raw.closed(REQUEST_MS + SLACK_MS + 3000);
      expect(after).not.toBe("open");
      expect(after).toBeGreaterThanOrEqual(REQUEST_MS - 100);
      expect(after).toBeLessThanOrEqual(REQUEST_MS + SLACK_MS);
      expect(raw.received()).not.toMatch(/^HTTP\/1\.1 200/);
    } finally {
      stop();
    }
  });

  it("serves a keep-alive client request after request, then closes the connection once it idles past the keep-alive timeout", async () => {
    const raw = await rawSocket();
    const query = JSON.stringify({ query: `{ viewer { role } }` });
    raw.socket.write(postRequest(query, me.token));
    expect((await raw.responses(1)).map((r) => r.status)).toEqual([200]);
    await sleep(KEEP_ALIVE_MS / 2);
    // A body in two parts, a moment apart: slow, but within every limit.
    const second = postRequest(query, me.token);
    const middle = second.length - 5;
    raw.socket.write(second.slice(0, middle));
    await sleep(300);
    raw.socket.write(second.slice(middle));
    const answers = await raw.responses(2);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(JSON.parse(answers[1].body)).toMatchObject({ data: { viewer: { role: "ADMINISTRATOR" } } });
    const answeredAt = Date.now();
    expect(await raw.closed(KEEP_ALIVE_MS + SLACK_MS + 2000)).not.toBe("open");
    expect(Date.now() - answeredAt).toBeLessThanOrEqual(KEEP_ALIVE_MS + SLACK_MS);
  });

  it("closes a connection whose answer makes no progress for the idle timeout", async () => {
    // The tickets table locked by another session: the query waits, and nothing moves on the socket.
    const locker = new pg.Client({ connectionString: srv.databaseUrl });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE tickets IN ACCESS EXCLUSIVE MODE");
      const raw = await rawSocket();
      raw.socket.write(postRequest(JSON.stringify({ query: `{ tickets(first: 1) { edges { node { id } } } }` }), me.token));
      const after = await raw.closed(IDLE_MS + SLACK_MS + 3000);
      expect(after).not.toBe("open");
      expect(after).toBeGreaterThanOrEqual(IDLE_MS - 100);
      expect(after).toBeLessThanOrEqual(IDLE_MS + SLACK_MS);
      expect(raw.received()).toBe("");
    } finally {
      await locker.query("ROLLBACK").catch(() => undefined);
      await locker.end();
    }
    // The request that waited finishes in the background; the server still answers.
    expect((await srv.gql(`{ viewer { role } }`, {}, me.token)).data).toEqual({ viewer: { role: "ADMINISTRATOR" } });
  });

  it("keeps a WebSocket subscription open well past every HTTP timeout", async () => {
    const sub = subscribe<{ ticketEvents: { type: string } }, string>(srv.wsUrl, me.token, `subscription { ticketEvents { type } }`, {
      as: (event) => event.type,
    });
    const { closes, events: received } = sub;
    try {
      const subscribed = () => sub.connections.length > 0;
      for (let i = 0; i < 200 && !subscribed(); i++) await sleep(10);
      expect(subscribed()).toBe(true);
      // Silence on the socket, longer than any of the HTTP timeouts (graphql-ws pings every 12 s).
      await sleep(Math.max(HEADERS_MS, REQUEST_MS, KEEP_ALIVE_MS, IDLE_MS) + SLACK_MS + 1000);
      expect(closes).toEqual([]);
      await openTicket(srv, me.token);
      for (let i = 0; i < 500 && received.length === 0; i++) await sleep(10);
      expect(received).toEqual(["OPENED"]);
      expect(closes).toEqual([]);
    } finally {
      await sub.stop();
    }
  });
});
