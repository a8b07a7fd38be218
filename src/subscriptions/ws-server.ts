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
  sessions: SessionEvents;
  context(actor: Actor, token: string, connection: Connection): Promise<RequestContext>;
}): WebSocketServerHandle {
  const wss = new WebSocketServer({ server: opts.httpServer, path: opts.path, maxPayload: 1024 * 1024 });
  const actors = new Map<WebSocket, Actor>();
  const closeWhere = (match: (actor: Actor) => boolean, reason: string) => {
    for (const [socket, actor] of actors) if (match(actor)) socket.close(CloseCode.Forbidden, reason);
  };
  opts.sessions.listen({
    memberRemoved: (workspaceId, userId) => closeWhere((a) => a.workspaceId === workspaceId && a.userId === userId, "Member removed"),
    tokenRevoked: (tokenId) => closeWhere((a) => a.tokenId === tokenId, "Token revoked"),
  });
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
      for (const client of wss.clients) client.close(CloseCode.ServiceRestart, "Server shutting down");
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
