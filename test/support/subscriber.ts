import { type Client, createClient, type FormattedExecutionResult } from "graphql-ws";
import WebSocket from "ws";
import { type LogEvent, logEventOf } from "./invariants";

/**
 * GraphQL over WebSocket as a client of the API meets it: the stock graphql-ws client, its socket
 * opened at once with `Authorization: Bearer <token>` in connection_init, keeping what the server
 * sends (results, errors, closes) for the test to look at.
 *
 * A test that needs the protocol itself (its TCP socket paused, frames of its own, headers on the
 * upgrade) speaks it by hand over `ws` instead.
 */

/** One close of the socket: its code, its reason, and how many events had arrived by then. */
export interface Close {
  code: number;
  reason: string;
  received: number;
}

export interface Connection {
  /** The graphql-ws client, for a test that drives operations itself. */
  client: Client;
  /** Resolves true once the server acknowledged connection_init, false if the socket closed first. */
  connected(): Promise<boolean>;
  /** Every acknowledged connection (a resuming subscriber's reconnections too): `after` and events received at that moment. */
  connections: Array<{ after: unknown; received: number }>;
  /** The code of every close of the socket, in order. */
  closes: number[];
  /** Every close with its reason. */
  closeDetails: Close[];
  /** Resolves with the code of the socket's first close. */
  closed(): Promise<number>;
  /** The code and the reason of the last close, if any. */
  closeCode(): number | undefined;
  closeReason(): string | undefined;
  /** Disposes of the client (a resuming one may be between attempts: that is not an error). */
  stop(): Promise<void>;
}

export interface Subscriber<D, T> extends Connection {
  /** Every result the server sent for the subscription, as received. */
  payloads: Array<FormattedExecutionResult<D, unknown>>;
  /** The root field of every result with data (through `as` when given): the events. */
  events: T[];
  /** The errors of every result that had some, and the error the subscription ended with. */
  errors: unknown[];
  /** Whether the subscription completed (the server ended it, or `stop`). */
  completed(): boolean;
  /** Resolves once the subscription completed or ended with an error. */
  finished(): Promise<void>;
  /** Resolves with the first `count` results once they arrived; rejects if the subscription ends before, or after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<Array<FormattedExecutionResult<D, unknown>>>;
  /** Ends the subscription and disposes of the client. */
  stop(): Promise<void>;
}

export interface ConnectionOptions {
  /** connection_init's payload instead of the token's Authorization (another scheme, none at all). */
  connectionParams?: Record<string, unknown>;
}

/**
 * Resuming as docs/integrators.md "Resuming" says: after a close the client connects again (at
 * most `attempts` times, `waitMs` apart or graphql-ws's own backoff, never after a close with a
 * code of `giveUpOn`), and subscribes again from the cursor of the last event it received.
 */
export interface Resume {
  attempts: number;
  waitMs?: number;
  /** Close codes after which it stops: 4403 (the token is no longer valid) unless told otherwise. */
  giveUpOn?: number[];
}

export interface SubscribeOptions<V, T> extends ConnectionOptions {
  variables?: Record<string, unknown>;
  resume?: Resume;
  /** What the test keeps of each event. */
  as?: (value: V) => T;
}

interface Hooks {
  resume?: Resume;
  /** What `connections` records as `after`. */
  after(): unknown;
  received(): number;
}

function open(url: string | (() => string), token: string | undefined, options: ConnectionOptions, hooks: Hooks): Connection {
  const closes: number[] = [];
  const closeDetails: Close[] = [];
  const connections: Array<{ after: unknown; received: number }> = [];
  let settle: (open: boolean) => void = () => undefined;
  const connected = new Promise<boolean>((resolve) => (settle = resolve));
  let firstClose: (code: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (firstClose = resolve));
  const { resume } = hooks;
  const giveUpOn: Array<number | undefined> = resume?.giveUpOn ?? [4403];
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: options.connectionParams ?? (token ? { Authorization: `Bearer ${token}` } : {}),
    lazy: false,
    onNonLazyError: () => undefined,
    retryAttempts: resume?.attempts ?? 0,
    ...(resume ? { shouldRetry: (e: unknown) => !giveUpOn.includes((e as { code?: number }).code) } : {}),
    ...(resume?.waitMs !== undefined ? { retryWait: () => new Promise<void>((r) => setTimeout(r, resume.waitMs)) } : {}),
    on: {
      connected: () => {
        connections.push({ after: hooks.after(), received: hooks.received() });
        settle(true);
      },
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closes.push(code);
        closeDetails.push({ code, reason, received: hooks.received() });
        settle(false);
        firstClose(code);
      },
    },
  });
  return {
    client,
    connected: () => connected,
    connections,
    closes,
    closeDetails,
    closed: () => closed,
    closeCode: () => closeDetails.at(-1)?.code,
    closeReason: () => closeDetails.at(-1)?.reason,
    stop: () => Promise.resolve(client.dispose()).catch(() => undefined),
  };
}

/** A socket with nothing subscribed: its connection and its closes. */
export function connection(url: string | (() => string), token: string | undefined, options: ConnectionOptions = {}): Connection {
  return open(url, token, options, { after: () => undefined, received: () => 0 });
}

/**
 * A socket of its own with one subscription on it. `D` is the shape of a result's data
 * (`{ ticketEvents: ... }`); the events are its root field, or what `as` makes of it.
 */
export function subscribe<D extends Record<string, unknown> = Record<string, unknown>, T = D[keyof D]>(
  url: string | (() => string),
  token: string | undefined,
  query: string,
  options: SubscribeOptions<D[keyof D], T> = {},
): Subscriber<D, T> {
  const payloads: Array<FormattedExecutionResult<D, unknown>> = [];
  const events: T[] = [];
  const errors: unknown[] = [];
  // One variables object for every (re)subscription: a resuming one moves its `after` along.
  const variables: Record<string, unknown> = { ...options.variables };
  let completed = false;
  let ended = false;
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((waiter) => waiter());
  const as = options.as ?? ((value: D[keyof D]) => value as unknown as T);

  const socket = open(url, token, options, { resume: options.resume, after: () => variables.after, received: () => events.length });
  const unsubscribe = socket.client.subscribe<D>(
    { query, variables },
    {
      next: (result) => {
        payloads.push(result);
        if (result.errors) errors.push(result.errors);
        for (const value of Object.values(result.data ?? {}) as Array<D[keyof D]>) {
          events.push(as(value));
          const cursor = (value as { cursor?: unknown } | null)?.cursor;
          if (options.resume && cursor !== undefined) variables.after = cursor;
        }
        wake();
      },
      error: (error) => {
        errors.push(error);
        ended = true;
        wake();
      },
      complete: () => {
        completed = true;
        ended = true;
        wake();
      },
    },
  );

  return {
    ...socket,
    payloads,
    events,
    errors,
    completed: () => completed,
    finished: () =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!ended) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    waitFor: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const failed = (why: string) =>
          new Error(`${why} after ${payloads.length} of ${count} results: ${JSON.stringify({ payloads, errors })}`);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        const check = () => {
          if (payloads.length >= count) finish(() => resolve(payloads.slice(0, count)));
          else if (ended) finish(() => reject(failed("the subscription ended")));
        };
        const timer = setTimeout(() => finish(() => reject(failed(`nothing more within ${timeoutMs} ms`))), timeoutMs);
        waiters.add(check);
        check();
      }),
    async stop() {
      unsubscribe();
      await socket.stop();
    },
  };
}

const LOG_EVENTS = `subscription($after: String) { ticketEvents(after: $after) { id cursor ticketVersion ticket { id } } }`;

type LogEventNode = { id: string; cursor: string; ticketVersion: number; ticket: { id: string } };

/**
 * A subscriber of the whole event log after a cursor that resumes from its last cursor after a
 * close: its events as the invariants read the log, to compare with it.
 */
export function logSubscriber(
  url: string | (() => string),
  token: string,
  after: string,
  resume: Resume,
): Subscriber<{ ticketEvents: LogEventNode }, LogEvent> {
  return subscribe<{ ticketEvents: LogEventNode }, LogEvent>(url, token, LOG_EVENTS, { variables: { after }, resume, as: logEventOf });
}
