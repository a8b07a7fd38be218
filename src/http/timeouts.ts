import { createServer, type RequestListener, type Server } from "node:http";
import type { Config } from "../config";

/**
 * The HTTP server, with timeouts a slow client cannot outlast (a slow-loris: a connection that
 * sends nothing, or its headers or body a byte at a time):
 *
 * - headers must arrive within `httpHeadersTimeoutMs` of the connection (or of the request's
 *   first byte on a kept-alive connection), and the whole request within `httpRequestTimeoutMs`;
 *   past either, Node answers 408 and closes the connection;
 * - a kept-alive connection waits `httpKeepAliveTimeoutMs` for its next request;
 * - a connection on which nothing moves either way for `httpIdleTimeoutMs` while a request is
 *   open (an answer the client does not read, or one that makes no progress) is closed.
 *
 * Node checks the first two on a timer, every 30 s by default: here every quarter of the headers
 * timeout, at most a second, so that a connection is cut close to its deadline. A WebSocket is
 * none of this once upgraded (`ws` turns the socket's idle timeout off); graphql-ws pings it instead.
 */
export function createTimedHttpServer(listener: RequestListener, config: Config): Server {
  const server = createServer(
    {
      headersTimeout: config.httpHeadersTimeoutMs,
      requestTimeout: config.httpRequestTimeoutMs,
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(config.httpHeadersTimeoutMs / 4))),
    },
    listener,
  );
  server.keepAliveTimeout = config.httpKeepAliveTimeoutMs;
  server.setTimeout(config.httpIdleTimeoutMs);
  return server;
}
