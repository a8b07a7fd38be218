import { randomUUID } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import { execute, subscribe, type ExecutionArgs, type GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { Logger } from "pino";
import { type WebSocket, WebSocketServer } from "ws";
import type { SessionEvents } from "../services/session-events";
import { bearerToken } from "../auth/tokens";
import type { Actor, Connection, RequestContext } from "../context";
import { bindSqlScope, runInSqlScope } from "../db/sql-scope";

/** Close codes of the contract. */
export const CloseCode = {
  /** The token is missing, invalid or revoked, or the member was removed. */
  Forbidden: 4403,
  /** The subscriber fell too far behind: resume from the last cursor. */
  TryAgainLater: 1013,
  /** The server is shutting down: reconnect (to another process) and resume. */
  ServiceRestart: 1012,
} as const;

/** Connections checked again per statement. */
const RECHECK_BATCH = 1000;

export interface WebSocketServerHandle {
  close(): Promise<void>;
}

type ConnectionExtra = {
  actor?: Actor;
  token?: string;
};

/** Runs an operation in its own request scope, bound to the subscriber's workspace. */
function scoped<T>(run: (args: ExecutionArgs) => T): (args: ExecutionArgs) => T {
  return (args) =>
    runInSqlScope(randomUUID(), () => {
      const ctx = args.contextValue as RequestContext | undefined;
      if (ctx?.actor) bindSqlScope(ctx.actor.workspaceId);
      return run(args);
    });
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
  sessions: SessionEvents;
  /** How often every connection is checked again, whatever was announced. */
  recheckIntervalMs: number;
  context(actor: Actor, token: string, connection: Connection): Promise<RequestContext>;
}): WebSocketServerHandle {
  const wss = new WebSocketServer({ server: opts.httpServer, path: opts.path, maxPayload: 1024 * 1024 });
  const actors = new Map<WebSocket, Actor>();

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
      for (const [socket, actor] of batch) {
        const now = current.get(actor.tokenId);
        if (now) Object.assign(actor, now);
        else socket.close(CloseCode.Forbidden, "Token revoked or member removed");
      }
    }
  };
  const recheckSafely = (workspaceId: string | undefined) =>
    void recheck(workspaceId).catch((error: unknown) => opts.log.warn({ err: error }, "checking live connections again failed"));
  opts.sessions.listen(recheckSafely);
  const rechecker = setInterval(() => recheckSafely(undefined), opts.recheckIntervalMs);
  rechecker.unref();

  const disposable = useServer<Record<string, unknown> | undefined, ConnectionExtra>(
    {
      schema: opts.schema,
      execute: scoped(execute),
      subscribe: scoped(subscribe),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const token = bearerToken(params.Authorization ?? params.authorization);
        if (!token) return false;
        const actor = await runInSqlScope(randomUUID(), () => opts.authenticate(token));
        if (!actor) return false;
        ctx.extra.actor = actor;
        ctx.extra.token = token;
        const socket = ctx.extra.socket;
        actors.set(socket, actor);
        socket.once("close", () => actors.delete(socket));
        return true;
      },
      context: async (ctx) => {
        const { actor, token } = ctx.extra;
        if (!actor || !token) throw new Error("an unauthenticated socket reached execution");
        const socket = ctx.extra.socket;
        return opts.context(actor, token, {
          bufferedAmount: () => socket.bufferedAmount,
          close: (code, reason) => socket.close(code, reason),
        });
      },
    },
    wss,
  );
  return {
    async close() {
      clearInterval(rechecker);
      for (const client of wss.clients) client.close(CloseCode.ServiceRestart, "Server shutting down");
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
