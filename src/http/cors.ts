import type { IncomingMessage } from "node:http";
import cors from "cors";
import type { RequestHandler } from "express";
import proxyaddr from "proxy-addr";

/**
 * Who may call the API from a browser page of another origin: the origins of CORS_ORIGINS, and
 * no other. With none listed (the default), only pages of the server's own origin (GraphiQL,
 * the invitation page) can, as before.
 *
 * Tokens travel in the Authorization header, never in cookies, so an allowed origin gets no
 * credentials mode; Apollo's CSRF prevention stays on beside CORS: a "simple" request (a form
 * post, a GET without a preflight header), which a browser sends cross-origin without asking, is
 * refused before it runs, whatever its origin.
 */
export interface CorsPolicy {
  /** Answers preflights and adds the Access-Control-* headers to answers for allowed origins. */
  http: RequestHandler;
  /**
   * Whether a WebSocket upgrade may proceed: browsers do not apply CORS to WebSockets, so the
   * server checks the Origin a page's socket carries. No Origin (a server-side client) passes;
   * so do the server's own origin and the allowed ones.
   */
  allowsUpgrade(request: IncomingMessage): boolean;
}

/** Request headers a browser client may send: the token, JSON, Apollo's CSRF and client headers. */
const ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "apollo-require-preflight",
  "x-apollo-operation-name",
  "apollographql-client-name",
  "apollographql-client-version",
  "x-request-id",
];
/** Response headers a page may read: the request id to quote, and when to retry after a 429 or 503. */
const EXPOSED_HEADERS = ["x-request-id", "retry-after"];
/** How long a browser may remember a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export function corsPolicy(allowedOrigins: readonly string[], trustProxy: readonly string[]): CorsPolicy {
  const allowed = new Set(allowedOrigins);
  const trusted = proxyaddr.compile([...trustProxy]);
  const headers = cors({
    origin: (origin, done) => done(null, origin !== undefined && allowed.has(origin)),
    methods: ["GET", "POST"],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    credentials: false,
    optionsSuccessStatus: 204,
  });
  return {
    // A preflight from an origin not allowed gets no Access-Control-* headers, so the browser
    // stops there; any other OPTIONS learns what the endpoint allows.
    // Every answer varies by Origin, also one that carries no Access-Control headers, so that a
    // shared cache never hands one origin's answer to another.
    http: (req, res, next) => {
      res.vary("Origin");
      headers(req, res, (error?: unknown) => {
        if (error) return next(error);
        if (req.method === "OPTIONS") return void res.status(204).set("allow", "GET, POST, OPTIONS").end();
        next();
      });
    },
    allowsUpgrade(request) {
      const origin = request.headers.origin;
      if (origin === undefined) return true;
      if (allowed.has(origin)) return true;
      return sameOrigin(origin, request, trusted);
    },
  };
}

/**
 * The page's origin is the server's own: the scheme and host the request was sent to (as a
 * trusted proxy received it: X-Forwarded-Proto and X-Forwarded-Host).
 */
function sameOrigin(origin: string, request: IncomingMessage, trusted: (address: string, hop: number) => boolean): boolean {
  let page: URL;
  try {
    page = new URL(origin);
  } catch {
    return false;
  }
  const peer = request.socket.remoteAddress;
  const viaProxy = peer !== undefined && trusted(peer, 0);
  const forwarded = (name: string) => {
    const value = viaProxy ? request.headers[name] : undefined;
    return typeof value === "string" && value.length > 0 ? value.split(",")[0].trim() : undefined;
  };
  const host = forwarded("x-forwarded-host") ?? request.headers.host;
  const encrypted = (request.socket as { encrypted?: boolean }).encrypted === true;
  const scheme = forwarded("x-forwarded-proto") ?? (encrypted ? "https" : "http");
  if (host === undefined) return false;
  return page.protocol === `${scheme.toLowerCase()}:` && page.host.toLowerCase() === host.toLowerCase() && page.username === "" && page.password === "";
}
