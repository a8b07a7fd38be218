import { randomUUID } from "node:crypto";
import type { Server as HttpServer, IncomingMessage } from "node:http";
import {
  type DocumentNode,
  execute,
  type ExecutionArgs,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
  type ValidationRule,
} from "graphql";
import type { SubscribePayload } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import type { Logger } from "pino";
import { type WebSocket, WebSocketServer } from "ws";
import type { SessionEvents } from "../services/identity/session-events";
import { bearerToken } from "../auth/tokens";
import type { Actor, Connection, RequestContext } from "../context";
import type { Loaders } from "../loaders";
import { bindSqlScope, runInSqlScope } from "../db/sql-scope";
import { isDatabaseUnavailable } from "../db/unavailable";
import { createErrorFormatter } from "../http/format-error";
import { TOO_MANY_REQUESTS_CLOSE } from "../http/limits/rate-limit";
import { SharedResults } from "./shared-results";
import type { TokenRefusal } from "../services/identity/token.service";
import { type ErrorCode, UnauthenticatedError } from "../errors";

/**
 * The error as raised before anything ran, with the code HTTP gives the same refusal: its own (a
 * limit's, say), else `code`.
 */
function coded(error: GraphQLError, code: ErrorCode): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: error.extensions.code ?? code } });
}

/** Close codes of the contract. */
export const CloseCode = {
  /**
   * The token is missing, invalid, revoked or expired (reason UNAUTHENTICATED), or its user is no
   * longer a member of the workspace (reason MEMBER_REMOVED).
   */
  Forbidden: 4403,
  /** The subscriber fell too far behind, or the database could not be reached: resume from the last cursor. */
  TryAgainLater: 1013,
  /** The server is shutting down: reconnect (to another process) and resume. */
  ServiceRestart: 1012,
} as const;

/** Why a connection closes with 1013 when the database cannot be reached. */
const UNAVAILABLE_REASON = "Database unavailable: reconnect and resume from your last cursor";

/** Connections checked again per statement. */
const RECHECK_BATCH = 1000;

/** Distinct operation texts whose parsed and validated document is kept for the next subscriber... */
const DOCUMENTS_KEPT = 200;
/** ...when they are no longer than this: a bound on what the cache holds whatever clients send. */
const DOCUMENT_KEPT_MAX_LENGTH = 8192;
/** How long a resolved event waits for the subscribers that have not taken it yet. */
const SHARED_RESULT_KEEP_MS = 5000;
/** Events (by selection) kept at most: a bound on memory whatever the traffic. */
const SHARED_RESULTS_MAX = 20_000;

export interface WebSocketServerHandle {
  close(): Promise<void>;
}

type ConnectionExtra = {
  actor?: Actor;
  token?: string;
  /** The client's address, as an HTTP request's (behind the same trusted proxies). */
  address?: string;
};

/** How long a refused socket may take to answer the close before it is cut (ws would wait 30 s). */
const CLOSE_HANDSHAKE_MS = 3000;
/**
 * How long a socket asked to come back later (1013) may take: a subscriber closed for reading too
 * slowly has its backlog queued ahead of the close frame, and gets the close (and its code) only
 * once it reads again. Cut sooner, it would see 1006 instead of the 1013 that tells it to resume.
 */
const BACKLOGGED_CLOSE_MS = 30_000;

/** More than the ping frames sent between two pongs: anything beyond is data the peer has not read. */
const PINGS_ONLY_BYTES = 64;

/**
 * Pings a socket and cuts it when a ping goes unanswered, as graphql-ws would (its own keep-alive
 * is off), except where a peer cannot answer because its pong waits behind what it has not read:
 * a socket already closing is left to its close deadline, and one with a backlog (anything sent
 * since its last pong, queued by ws or already in the kernel's buffers) is closed with 1013
 * (resume from your last cursor) rather than cut.
 */
function keepAlive(socket: WebSocket, intervalMs: number): void {
  let answered = true;
  // Bytes handed to the connection (ws's queue and the kernel's buffers alike): what was sent to a
  // peer since its last pong may sit unread ahead of its next one, even once ws's own queue is empty.
  const written = () => (socket as unknown as { _socket?: { bytesWritten?: number } })._socket?.bytesWritten ?? 0;
  let writtenAtPong = written();
  socket.on("pong", () => {
    answered = true;
    writtenAtPong = written();
  });
  const timer = setInterval(() => {
    if (socket.readyState !== socket.OPEN) return;
    if (!answered) {
      const backlogged = socket.bufferedAmount > 0 || written() - writtenAtPong > PINGS_ONLY_BYTES;
      if (backlogged) socket.close(CloseCode.TryAgainLater, "Subscriber too slow: resume from your last cursor");
      else socket.terminate();
      return;
    }
    answered = false;
    socket.ping();
  }, intervalMs);
  timer.unref();
  socket.once("close", () => clearInterval(timer));
}

/** The live subscriptions of one member in this process: their number and the sum of their costs. */
interface Budget {
  count: number;
  cost: number;
}

/** Runs an operation in its own request scope, bound to the subscriber's workspace. */
function scoped<T>(run: (args: ExecutionArgs) => T): (args: ExecutionArgs) => T {
  return (args) => inRequestScope(args.contextValue, () => run(args));
}

function inRequestScope<T>(contextValue: unknown, run: () => T): T {
  return runInSqlScope(randomUUID(), () => {
    const ctx = contextValue as RequestContext | undefined;
    if (ctx?.actor) bindSqlScope(ctx.actor.workspaceId);
    return run();
  });
}

/**
 * A subscription's loaders exist only while one of its events is being resolved: made on first
 * use, dropped when the event is done (the returned function). Thousands of waiting subscriptions
 * hold none, and each event is resolved with fresh ones, never with rows cached for an older one.
 */
function loadersOnDemand(ctx: RequestContext): () => void {
  const renew = ctx.renewLoaders;
  let current: Loaders | undefined;
  Object.defineProperty(ctx, "loaders", {
    configurable: true,
    enumerable: true,
    get: () => {
      if (!current) renew();
      return current;
    },
    set: (loaders: Loaders) => {
      current = loaders;
    },
  });
  return () => {
    current = undefined;
  };
}

/**
 * Subscribers of one workspace mostly send the same operation text: it is parsed and validated
 * once, and the one document serves them all (which also lets them share resolved events).
 * Validation applies GraphQL's rules and `extraRules` (the request limits).
 */
function documentCache(extraRules: readonly ValidationRule[], maxTokens: number): { parse: typeof parse; validate: typeof validate } {
  const ourRules = [...specifiedRules, ...extraRules];
  const documents = new Map<string, DocumentNode>();
  const verdicts = new WeakMap<DocumentNode, { schema: GraphQLSchema; errors: readonly GraphQLError[] }>();
  return {
    parse: (source, options) => {
      if (typeof source !== "string" || options || source.length > DOCUMENT_KEPT_MAX_LENGTH) {
        return parse(source, { ...options, maxTokens });
      }
      const known = documents.get(source);
      if (known) {
        documents.delete(source);
        documents.set(source, known);
        return known;
      }
      const document = parse(source, { maxTokens });
      documents.set(source, document);
      if (documents.size > DOCUMENTS_KEPT) documents.delete(documents.keys().next().value as string);
      return document;
    },
    validate: (schema, document, rules, options, typeInfo) => {
      if (rules || options || typeInfo) return validate(schema, document, rules, options, typeInfo);
      const known = verdicts.get(document);
      if (known && known.schema === schema) return known.errors;
      const errors = validate(schema, document, ourRules);
      verdicts.set(document, { schema, errors });
      return errors;
    },
  };
}

/**
 * graphql-ws on the HTTP server's port and path. The connection_init payload's Authorization
 * value authenticates the connection; a missing or bad token closes it with 4403.
 */
export function attachWebSocketServer(opts: {
  httpServer: HttpServer;
  path: string;
  schema: GraphQLSchema;
  log: Logger;
  authenticate(token: string): Promise<Actor | undefined>;
  /** The members tokens act for now, by token id; a token missing from the answer no longer works. */
  currentActors(tokenIds: readonly string[]): Promise<Map<string, Actor>>;
  /** Why a token that does not work was refused: the reason its 4403 close carries. */
  refusal(token: string): Promise<TokenRefusal>;
  /** The same, by token id, for live connections whose token stopped working. */
  refusals(tokenIds: readonly string[]): Promise<Map<string, TokenRefusal>>;
  sessions: SessionEvents;
  /** How often every connection is checked again, whatever was announced. */
  recheckIntervalMs: number;
  context(actor: Actor, token: string, connection: Connection, address: string | undefined): Promise<RequestContext>;
  /** The client address of an upgrade request, as an HTTP request's would be. */
  addressOf(request: IncomingMessage): string | undefined;
  /**
   * Takes one request from the actor's rate buckets for an operation: 0 when it may run, else the
   * seconds to wait (the socket then closes with 4429 and the operation runs nothing).
   */
  admit(actor: Actor): number;
  /** Validation rules besides GraphQL's own: the request limits, as over HTTP. */
  validationRules: readonly ValidationRule[];
  /** The most tokens an operation's text may hold, as over HTTP. */
  maxTokens: number;
  /** Refuses an operation (throws a GraphQLError) by what it asks with its variables; returns its cost. */
  checkOperation(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number;
  /**
   * The most live subscriptions one member may hold in this process, and the most their costs may
   * add up to: every event is resolved for each of them, so together they may ask no more than one
   * operation may.
   */
  subscriptionLimits: { count: number; cost: number };
  /** How often a socket is pinged: one that has not answered the last ping by the next is dead. */
  keepAliveMs: number;
  /** Whether an upgrade request's Origin may open a socket (see CORS_ORIGINS). */
  allowsUpgrade(request: IncomingMessage): boolean;
}): WebSocketServerHandle {
  const wss = new WebSocketServer({
    server: opts.httpServer,
    path: opts.path,
    maxPayload: 1024 * 1024,
    // A page of an origin the API does not allow gets 403 before the upgrade: browsers apply no
    // CORS to WebSockets, so the server checks the Origin itself.
    verifyClient: ({ req }, done) => (opts.allowsUpgrade(req) ? done(true) : done(false, 403, "Origin not allowed")),
  });
  // A peer that never answers the server's close (a 4408 for a socket that never initialised, a
  // 4403, a 4429) is cut after a few seconds rather than the 30 s ws would grant it.
  wss.on("connection", (socket) => {
    const close = socket.close.bind(socket);
    socket.close = (code?: number, reason?: string | Buffer) => {
      close(code, reason);
      setTimeout(
        () => {
          if (socket.readyState !== socket.CLOSED) socket.terminate();
        },
        code === CloseCode.TryAgainLater ? BACKLOGGED_CLOSE_MS : CLOSE_HANDSHAKE_MS,
      ).unref();
    };
    keepAlive(socket, opts.keepAliveMs);
  });
  const actors = new Map<WebSocket, Actor>();
  const budgets = new Map<string, Budget>();
  /** Per socket, the budget each of its live subscriptions holds, by operation id. */
  const held = new Map<WebSocket, Map<string, { member: string; cost: number }>>();
  const release = (socket: WebSocket, id?: string) => {
    const operations = held.get(socket);
    if (!operations) return;
    for (const [operationId, hold] of operations) {
      if (id !== undefined && operationId !== id) continue;
      operations.delete(operationId);
      const budget = budgets.get(hold.member);
      if (!budget) continue;
      budget.count -= 1;
      budget.cost -= hold.cost;
      if (budget.count <= 0) budgets.delete(hold.member);
    }
    if (operations.size === 0) held.delete(socket);
  };
  /** Per socket, what its operations want to hear when its member is checked again. */
  const actorListeners = new Map<WebSocket, Set<() => void>>();

  /**
   * Checks connections against the database: one whose token was revoked or whose member was
   * removed closes with 4403; the others take their member's current role and team topics, which
   * their subscriptions read at every event.
   */
  const recheck = async (workspaceId: string | undefined): Promise<void> => {
    const held = [...actors].filter(([, actor]) => workspaceId === undefined || actor.workspaceId === workspaceId);
    for (let i = 0; i < held.length; i += RECHECK_BATCH) {
      const batch = held.slice(i, i + RECHECK_BATCH);
      const current = await runInSqlScope(randomUUID(), () => opts.currentActors([...new Set(batch.map(([, a]) => a.tokenId))]));
      const refused = batch.filter(([, actor]) => !current.has(actor.tokenId));
      const reasons = refused.length
        ? await runInSqlScope(randomUUID(), () => opts.refusals([...new Set(refused.map(([, a]) => a.tokenId))]))
        : new Map<string, TokenRefusal>();
      for (const [socket, actor] of batch) {
        const now = current.get(actor.tokenId);
        if (!now) {
          socket.close(CloseCode.Forbidden, reasons.get(actor.tokenId) ?? "UNAUTHENTICATED");
          continue;
        }
        Object.assign(actor, now);
        for (const listener of actorListeners.get(socket) ?? []) listener();
      }
    }
  };
  // A change announced for a workspace (a role, a team, a permission) is checked on its sockets in
  // the background; an operation sent on one of them meanwhile waits for that check, so that it
  // runs as the change says, as the next HTTP request would.
  const rechecks = new Set<{ workspaceId: string | undefined; done: Promise<void> }>();
  const recheckSafely = (workspaceId: string | undefined) => {
    const entry = {
      workspaceId,
      done: recheck(workspaceId).catch((error: unknown) => opts.log.warn({ err: error }, "checking live connections again failed")),
    };
    rechecks.add(entry);
    void entry.done.finally(() => rechecks.delete(entry));
  };
  const recheckOf = (workspaceId: string | undefined): Promise<unknown> | undefined => {
    const waits = [...rechecks].filter((entry) => workspaceId !== undefined && entry.workspaceId === workspaceId).map((e) => e.done);
    return waits.length > 0 ? Promise.all(waits) : undefined;
  };
  opts.sessions.listen(recheckSafely);
  const rechecker = setInterval(() => recheckSafely(undefined), opts.recheckIntervalMs);
  rechecker.unref();

  const releaseLoaders = new WeakMap<RequestContext, () => void>();
  // Each event is resolved once per selection and per what its resolvers read of the subscriber.
  const shared = new SharedResults({
    keepMs: SHARED_RESULT_KEEP_MS,
    maxEvents: SHARED_RESULTS_MAX,
    streamArguments: new Set(["after"]),
    partitionOf: (contextValue) => (contextValue as RequestContext | undefined)?.actor?.workspaceId,
    run: inRequestScope,
    finished: (contextValue) => releaseLoaders.get(contextValue as RequestContext)?.(),
  });

  const documents = documentCache(opts.validationRules, opts.maxTokens);
  const formatError = createErrorFormatter(opts.log);
  /**
   * Admits an operation on a socket, as HTTP admits a request: its rate, then what HTTP refuses
   * before running anything, then the member's live subscriptions.
   */
  const admitOperation = (
    { actor, socket }: ConnectionExtra & { socket: WebSocket },
    id: string,
    payload: SubscribePayload,
  ): readonly GraphQLError[] | undefined => {
    // Every operation takes from its token's and member's rate buckets before anything else:
    // over the limit the socket closes and the operation runs nothing.
    const wait = actor ? opts.admit(actor) : 0;
    if (wait > 0) {
      socket.close(TOO_MANY_REQUESTS_CLOSE, `Too many requests: retry in ${wait} s`);
      return [
        new GraphQLError(`Too many requests: retry in ${wait} s.`, {
          extensions: { code: "RATE_LIMITED" satisfies ErrorCode, retryAfter: wait },
        }),
      ];
    }
    // What HTTP refuses before anything runs is refused here with the same codes, as an error
    // message for this operation only: the socket and its other operations go on.
    let document: DocumentNode;
    try {
      document = documents.parse(payload.query);
    } catch (error) {
      if (error instanceof GraphQLError) return [coded(error, "GRAPHQL_PARSE_FAILED")];
      throw error;
    }
    const invalid = documents.validate(opts.schema, document);
    if (invalid.length > 0) return invalid.map((error) => coded(error, "GRAPHQL_VALIDATION_FAILED"));
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) {
      return [
        coded(
          new GraphQLError(payload.operationName ? `Unknown operation named "${payload.operationName}".` : "Unable to identify operation."),
          "OPERATION_RESOLUTION_FAILURE",
        ),
      ];
    }
    const coerced = getVariableValues(opts.schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 50 });
    if (coerced.errors) return coerced.errors.map((error) => coded(error, "BAD_USER_INPUT"));
    let cost: number;
    try {
      cost = opts.checkOperation(document, operation, payload.variables ?? {});
    } catch (error) {
      if (error instanceof GraphQLError) return [error];
      throw error;
    }
    if (operation.operation !== "subscription" || !actor) return undefined;
    const member = actor.membershipId;
    const budget = budgets.get(member) ?? { count: 0, cost: 0 };
    const { count: maxCount, cost: maxCost } = opts.subscriptionLimits;
    if (budget.count + 1 > maxCount || budget.cost + cost > maxCost) {
      return [
        new GraphQLError(
          `A member may hold at most ${maxCount} live subscriptions, together costing at most ${maxCost}; ` +
            `you hold ${budget.count} costing ${budget.cost}, and this one costs ${cost}. Complete some first.`,
          { extensions: { code: "TOO_MANY_SUBSCRIPTIONS", limit: maxCount, costLimit: maxCost, requested: cost } },
        ),
      ];
    }
    budget.count += 1;
    budget.cost += cost;
    budgets.set(member, budget);
    let operations = held.get(socket);
    if (!operations) {
      const created = new Map<string, { member: string; cost: number }>();
      held.set(socket, created);
      socket.once("close", () => release(socket));
      operations = created;
    }
    operations.set(id, { member, cost });
    return undefined;
  };

  const disposable = useServer<Record<string, unknown> | undefined, ConnectionExtra>(
    {
      schema: opts.schema,
      ...documents,
      // Every operation is admitted before it runs (admitOperation), once a check of its socket's
      // member announced by a change (a role, a team, a permission) is done.
      onSubscribe: (ctx, id, payload) => {
        const pending = recheckOf(ctx.extra.actor?.workspaceId);
        if (!pending) return admitOperation(ctx.extra, id, payload);
        // The check may have closed the socket (a member removed, a token revoked): then nothing runs.
        return pending.then(() =>
          ctx.extra.socket.readyState === ctx.extra.socket.OPEN
            ? admitOperation(ctx.extra, id, payload)
            : [new UnauthenticatedError("This connection was closed: its token no longer works here.")],
        );
      },
      onComplete: (ctx, id) => release(ctx.extra.socket, id),
      // Errors reach subscribers as they reach HTTP clients: masked, with a request id in the log.
      // An event that could not be resolved because the database was lost is not sent at all: the
      // socket closes with 1013 and the client, resuming from its last cursor, gets it again.
      onNext: (ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return undefined;
        const subscription = getOperationAST(args.document, args.operationName)?.operation === "subscription";
        if (subscription && result.errors.some((e) => isDatabaseUnavailable(e))) {
          ctx.extra.socket.close(CloseCode.TryAgainLater, UNAVAILABLE_REASON);
          return undefined;
        }
        return runInSqlScope(randomUUID(), () => ({ ...result, errors: result.errors?.map((e) => formatError(e.toJSON(), e)) }));
      },
      // An operation refused before it ran, or a subscription that failed to start or to read its
      // feed: the same two rules, every error through the formatter, as over HTTP.
      onError: (ctx, _id, _payload, errors) => {
        if (errors.some((e) => isDatabaseUnavailable(e))) {
          ctx.extra.socket.close(CloseCode.TryAgainLater, UNAVAILABLE_REASON);
          return undefined;
        }
        return runInSqlScope(randomUUID(), () => errors.map((e) => formatError(e.toJSON(), e)));
      },
      execute: scoped(execute),
      subscribe: scoped((args) => shared.subscribe(args)),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const token = bearerToken(params.Authorization ?? params.authorization);
        // A refusal closes with 4403 and a reason a client can switch on; graphql-ws's own 4403
        // ("Forbidden") that follows is ignored.
        if (!token) {
          ctx.extra.socket.close(CloseCode.Forbidden, "UNAUTHENTICATED");
          return false;
        }
        let actor: Actor | undefined;
        try {
          actor = await runInSqlScope(randomUUID(), () => opts.authenticate(token));
          if (!actor) ctx.extra.socket.close(CloseCode.Forbidden, await runInSqlScope(randomUUID(), () => opts.refusal(token)));
        } catch (error) {
          if (!isDatabaseUnavailable(error)) throw error;
          // Not the client's fault and not for good: a code the stock client retries (graphql-ws
          // would close with 4500, which it does not). The 4403 that follows is ignored.
          ctx.extra.socket.close(CloseCode.TryAgainLater, UNAVAILABLE_REASON);
          return false;
        }
        if (!actor) return false;
        ctx.extra.actor = actor;
        ctx.extra.token = token;
        ctx.extra.address = opts.addressOf(ctx.extra.request);
        const socket = ctx.extra.socket;
        actors.set(socket, actor);
        socket.once("close", () => actors.delete(socket));
        return true;
      },
      context: async (ctx) => {
        const { actor, token } = ctx.extra;
        if (!actor || !token) throw new Error("an unauthenticated socket reached execution");
        const socket = ctx.extra.socket;
        const context = await opts.context(
          actor,
          token,
          {
            bufferedAmount: () => socket.bufferedAmount,
            close: (code, reason) => socket.close(code, reason),
            onActorChange: (listener) => {
              let listeners = actorListeners.get(socket);
              if (!listeners) {
                const created = new Set<() => void>();
                actorListeners.set(socket, created);
                socket.once("close", () => actorListeners.delete(socket));
                listeners = created;
              }
              listeners.add(listener);
              return () => listeners.delete(listener);
            },
          },
          ctx.extra.address,
        );
        releaseLoaders.set(context, loadersOnDemand(context));
        return context;
      },
    },
    wss,
    // Off: keepAlive() above pings, and knows a slow reader from a dead peer.
    0,
  );
  return {
    async close() {
      clearInterval(rechecker);
      for (const client of wss.clients) client.close(CloseCode.ServiceRestart, "Server shutting down");
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      shared.close();
    },
  };
}
