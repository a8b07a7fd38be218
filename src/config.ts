import path from "node:path";
import proxyaddr from "proxy-addr";

/** The server's whole configuration, read once from the environment and validated at start. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL URL; undefined means the embedded database under dataDir. */
  databaseUrl: string | undefined;
  /**
   * A direct PostgreSQL URL (no pooler in between) for what needs a session of its own: the
   * LISTEN of the feed listener and the migration lock. Undefined: databaseUrl serves for both.
   */
  databaseDirectUrl: string | undefined;
  dataDir: string;
  /** Where ticket exports write their CSV files (EXPORT_DIR, default DATA_DIR/exports); shared by every process. */
  exportDir: string;
  /** How long a finished export may be downloaded before it expires and its file is deleted. */
  exportRetentionHours: number;
  /** Exports one member may have pending or running at once. */
  exportMaxActivePerMember: number;
  /** How often exports are checked for an interrupted run or an expired file. */
  exportSweepIntervalMs: number;
  /** Tickets an export reads per statement (and writes before reading more). */
  exportPageSize: number;
  publicUrl: string;
  dbPoolSize: number;
  /** Each pooled connection prepares the statements it sends repeatedly; off behind PgBouncer in transaction mode. */
  dbPreparedStatements: boolean;
  /** Valid POSTed documents run below Apollo's request pipeline, after the same checks (http/fast-path.ts). */
  graphqlFastPath: boolean;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  signupDisabled: boolean;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  workspaceName: string;
  bodyLimitBytes: number;
  sessionIdleDays: number;
  /** How long who a token acts for is remembered without asking the database (0: never). */
  authCacheMs: number;
  /** Adds an `x-sql-statements` response header (tests and benchmarks). */
  exposeSqlCount: boolean;
  shutdownGraceMs: number;
  /** How often ticket count deltas are folded together. */
  countSquashIntervalMs: number;
  /** smtp:// or smtps:// URL of the mail server; undefined writes emails as .eml files under dataDir/mail. */
  smtpUrl: string | undefined;
  /** The From of every email the server sends. */
  mailFrom: string;
  /** Redis for fanning commits out to every process; unset = PostgreSQL LISTEN/NOTIFY. */
  redisUrl: string | undefined;
  /** How often every subscription feed reads anyway, in case a notification was lost. */
  feedSweepIntervalMs: number;
  /** How often live WebSocket connections are checked against their tokens and memberships. */
  sessionRecheckIntervalMs: number;
  /** Deepest field nesting an operation may have (introspection's ofType chain aside). */
  maxQueryDepth: number;
  /** Highest cost an operation may have: the objects it can return, connections counting first/last each. */
  maxQueryCost: number;
  /** Most aliases an operation may use. */
  maxAliases: number;
  /** The most tokens (names, punctuation, values) an operation's text may hold. */
  maxQueryTokens: number;
  /** Requests per second a token (or an anonymous client address) may make on average; 0 turns the limit off. */
  rateLimitPerSecond: number;
  /** Requests a token may make at once before the per-second rate applies. */
  rateLimitBurst: number;
  /**
   * The proxies whose X-Forwarded-For the server believes about a client's address (rate limits
   * and the logIn lockout count per address): proxy-addr's trust list (addresses, subnets, or
   * loopback, linklocal, uniquelocal); empty: none, the peer's own address counts.
   */
  trustProxy: string[];
  /** How often WebSockets are pinged; a peer that misses a ping is cut (or, with a backlog, closed with 1013). */
  wsKeepAliveMs: number;
  /** Origins of browser pages allowed to call the API (CORS and WebSocket Origin); none by default. */
  corsOrigins: string[];
  /** Requests per second all of one member's tokens may make together (a member may hold 25 API tokens). */
  rateLimitMemberPerSecond: number;
  /** Requests all of one member's tokens may make at once. */
  rateLimitMemberBurst: number;
  /** Failed logIns per email, and per client address, before further attempts are refused for a while. */
  loginMaxFailures: number;
  /** The window in which those failures count. */
  loginFailureWindowSeconds: number;
  /** Whether the schema may be introspected (GraphiQL needs it). */
  introspection: boolean;
  /** Longest a client may take to send a request's headers, from its connection or its request's first byte. */
  httpHeadersTimeoutMs: number;
  /** Longest a client may take to send a whole request, headers and body. */
  httpRequestTimeoutMs: number;
  /** How long an idle keep-alive connection waits for its next request. */
  httpKeepAliveTimeoutMs: number;
  /** A connection on which no byte moves either way for this long, while a request is open, is closed (not WebSockets). */
  httpIdleTimeoutMs: number;
  /** When set, /metrics answers only `Authorization: Bearer <metricsToken>`; unset, it answers anyone. */
  metricsToken: string | undefined;
  /** How long the server waits at start for a database that cannot be reached (0: try once). */
  databaseWaitSeconds: number;
  /** Webhooks may go to loopback, private and link-local addresses (tests, on-premise receivers). */
  webhookAllowPrivate: boolean;
  /** A delivery's whole request, connection to last byte. */
  webhookTimeoutMs: number;
  /** The delay before the first retry; each next one doubles (with jitter) up to webhookRetryMaxMs. */
  webhookRetryBaseMs: number;
  webhookRetryMaxMs: number;
  /** How long an item is retried before its endpoint is disabled. */
  webhookGiveUpMs: number;
  /** How often every endpoint is checked for something to send, in case a wake-up was missed. */
  webhookPollMs: number;
  /** How long a process keeps an endpoint to itself without renewing; another process takes it over after. */
  webhookLeaseMs: number;
  /** How long a rotated-out signing secret keeps signing alongside the new one. */
  webhookRotationOverlapMs: number;
  /** How long the delivery log is kept. */
  webhookDeliveryRetentionHours: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, "is not a valid URL");
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(" or ")}`);
  }
  return raw;
}

/** A proxy-addr trust list: comma-separated addresses, subnets or names; "none" trusts no proxy. */
function trustList(env: Env, name: string): string[] {
  const raw = str(env, name) ?? "loopback";
  if (/^none$/i.test(raw)) return [];
  const entries = raw
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  try {
    proxyaddr.compile(entries);
  } catch (error) {
    throw new ConfigError(
      name,
      `must list addresses, subnets, loopback, linklocal or uniquelocal, or be none: ${(error as Error).message}`,
    );
  }
  return entries;
}

/**
 * Reads CORS_ORIGINS: origins separated by commas, each a scheme, a host and an optional port
 * (https://app.example.com, http://localhost:3000), written as a browser sends them in Origin.
 */
export function parseOrigins(raw: string): { origins: string[] } | { error: string } {
  const origins: string[] = [];
  for (const entry of raw
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      return { error: `"${entry}" is not an origin such as https://app.example.com` };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return { error: `"${entry}" must start with http:// or https://` };
    if (entry.replace(/\/$/, "").toLowerCase() !== url.origin.toLowerCase()) {
      return {
        error: `"${entry}" must be an origin as a browser sends it (scheme, host and port, no path, no default port): ${url.origin}`,
      };
    }
    origins.push(url.origin);
  }
  return { origins };
}

function originList(env: Env, name: string): string[] {
  const parsed = parseOrigins(str(env, name) ?? "");
  if ("error" in parsed) throw new ConfigError(name, parsed.error);
  return parsed.origins;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export function loadConfig(env: Env = process.env): Config {
  const port = int(env, "PORT", 4000, 0, 65535);
  const logLevel = str(env, "LOG_LEVEL") ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }
  const adminEmail = str(env, "HANDOVER_ADMIN_EMAIL");
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError("HANDOVER_ADMIN_EMAIL", "is not an email address");
  }
  const adminPassword = str(env, "HANDOVER_ADMIN_PASSWORD");
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new ConfigError("HANDOVER_ADMIN_PASSWORD", "must be at least 8 characters");
  }
  const workspaceName = str(env, "HANDOVER_WORKSPACE_NAME") ?? "Handover";
  if (workspaceName.length > 64) throw new ConfigError("HANDOVER_WORKSPACE_NAME", "must be at most 64 characters");
  const httpHeadersTimeoutMs = int(env, "HTTP_HEADERS_TIMEOUT_MS", 10000, 100, 600000);
  const httpRequestTimeoutMs = int(env, "HTTP_REQUEST_TIMEOUT_MS", 30000, 100, 3600000);
  if (httpHeadersTimeoutMs > httpRequestTimeoutMs) {
    throw new ConfigError(
      "HTTP_HEADERS_TIMEOUT_MS",
      `must not exceed HTTP_REQUEST_TIMEOUT_MS (${httpRequestTimeoutMs}), got ${httpHeadersTimeoutMs}`,
    );
  }
  const metricsToken = str(env, "METRICS_TOKEN");
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,512}$/.test(metricsToken)) {
    throw new ConfigError("METRICS_TOKEN", "must be 16 to 512 printable ASCII characters without spaces");
  }
  const databaseUrl = url(env, "DATABASE_URL", ["postgres:", "postgresql:"]);
  const databaseDirectUrl = url(env, "DATABASE_DIRECT_URL", ["postgres:", "postgresql:"]);
  if (databaseDirectUrl !== undefined && databaseUrl === undefined) {
    throw new ConfigError("DATABASE_DIRECT_URL", "needs DATABASE_URL: it is a second way to the same PostgreSQL database");
  }
  const mailFrom = str(env, "MAIL_FROM") ?? "Handover <no-reply@localhost>";
  if (!/^[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>$|^[^\s@<>]+@[^\s@<>]+$/.test(mailFrom)) {
    throw new ConfigError("MAIL_FROM", `must be an address such as "Handover <no-reply@example.com>", got "${mailFrom}"`);
  }
  const dataDir = path.resolve(str(env, "DATA_DIR") ?? "data");
  const webhookTimeoutMs = int(env, "WEBHOOK_TIMEOUT_MS", 10_000, 100, 60_000);
  const webhookLeaseMs = int(env, "WEBHOOK_LEASE_MS", 60_000, 1000, 3_600_000);
  if (webhookLeaseMs < webhookTimeoutMs + 1000) {
    throw new ConfigError("WEBHOOK_LEASE_MS", `must exceed WEBHOOK_TIMEOUT_MS (${webhookTimeoutMs}) by at least 1000, got ${webhookLeaseMs}`);
  }
  return {
    port,
    host: str(env, "HOST") ?? "0.0.0.0",
    databaseUrl,
    databaseDirectUrl,
    dataDir,
    exportDir: path.resolve(str(env, "EXPORT_DIR") ?? path.join(dataDir, "exports")),
    exportRetentionHours: int(env, "EXPORT_RETENTION_HOURS", 24, 1, 24 * 365),
    exportMaxActivePerMember: int(env, "EXPORT_MAX_ACTIVE_PER_MEMBER", 3, 1, 100),
    exportSweepIntervalMs: int(env, "EXPORT_SWEEP_INTERVAL_MS", 10000, 50, 3600000),
    exportPageSize: int(env, "EXPORT_PAGE_SIZE", 1000, 1, 10000),
    publicUrl: (url(env, "PUBLIC_URL", ["http:", "https:"]) ?? `http://localhost:${port}`).replace(/\/+$/, ""),
    dbPoolSize: int(env, "DB_POOL_SIZE", 10, 1, 500),
    dbPreparedStatements: bool(env, "DB_PREPARED_STATEMENTS", true),
    graphqlFastPath: bool(env, "GRAPHQL_FAST_PATH", true),
    logLevel: logLevel as Config["logLevel"],
    signupDisabled: bool(env, "SIGNUP_DISABLED", false),
    adminEmail,
    adminPassword,
    workspaceName,
    bodyLimitBytes: int(env, "BODY_LIMIT_BYTES", 1024 * 1024, 1024, 100 * 1024 * 1024),
    sessionIdleDays: int(env, "SESSION_IDLE_DAYS", 30, 1, 3650),
    authCacheMs: int(env, "AUTH_CACHE_MS", 5000, 0, 60000),
    exposeSqlCount: bool(env, "EXPOSE_SQL_COUNT", false),
    shutdownGraceMs: int(env, "SHUTDOWN_GRACE_MS", 10000, 0, 600000),
    countSquashIntervalMs: int(env, "COUNT_SQUASH_INTERVAL_MS", 10000, 100, 3600000),
    redisUrl: url(env, "REDIS_URL", ["redis:", "rediss:"]),
    feedSweepIntervalMs: int(env, "FEED_SWEEP_INTERVAL_MS", 2000, 50, 600000),
    sessionRecheckIntervalMs: int(env, "SESSION_RECHECK_INTERVAL_MS", 60000, 50, 3600000),
    smtpUrl: url(env, "SMTP_URL", ["smtp:", "smtps:"]),
    mailFrom,
    maxQueryDepth: int(env, "MAX_QUERY_DEPTH", 12, 1, 1000),
    maxQueryCost: int(env, "MAX_QUERY_COST", 50000, 1, 1_000_000_000),
    maxAliases: int(env, "MAX_ALIASES", 100, 0, 100000),
    maxQueryTokens: int(env, "MAX_QUERY_TOKENS", 2000, 100, 1_000_000),
    rateLimitPerSecond: int(env, "RATE_LIMIT_PER_SECOND", 20, 0, 1_000_000),
    rateLimitBurst: int(env, "RATE_LIMIT_BURST", 60, 1, 1_000_000),
    trustProxy: trustList(env, "TRUST_PROXY"),
    corsOrigins: originList(env, "CORS_ORIGINS"),
    wsKeepAliveMs: int(env, "WS_KEEP_ALIVE_MS", 12000, 1000, 600000),
    rateLimitMemberPerSecond: int(env, "RATE_LIMIT_MEMBER_PER_SECOND", 40, 1, 1_000_000),
    rateLimitMemberBurst: int(env, "RATE_LIMIT_MEMBER_BURST", 120, 1, 1_000_000),
    loginMaxFailures: int(env, "LOGIN_MAX_FAILURES", 5, 1, 1000),
    loginFailureWindowSeconds: int(env, "LOGIN_FAILURE_WINDOW_SECONDS", 900, 1, 86400),
    introspection: bool(env, "INTROSPECTION", true),
    httpHeadersTimeoutMs,
    httpRequestTimeoutMs,
    httpKeepAliveTimeoutMs: int(env, "HTTP_KEEP_ALIVE_TIMEOUT_MS", 5000, 100, 600000),
    httpIdleTimeoutMs: int(env, "HTTP_IDLE_TIMEOUT_MS", 60000, 100, 3600000),
    metricsToken,
    databaseWaitSeconds: int(env, "DATABASE_WAIT_SECONDS", 60, 0, 3600),
    webhookAllowPrivate: bool(env, "WEBHOOK_ALLOW_PRIVATE", false),
    webhookTimeoutMs,
    webhookRetryBaseMs: int(env, "WEBHOOK_RETRY_BASE_MS", 5000, 10, 3_600_000),
    webhookRetryMaxMs: int(env, "WEBHOOK_RETRY_MAX_MS", 3_600_000, 10, 86_400_000),
    webhookGiveUpMs: int(env, "WEBHOOK_GIVE_UP_MS", 3 * 86_400_000, 100, 30 * 86_400_000),
    webhookPollMs: int(env, "WEBHOOK_POLL_MS", 2000, 20, 600_000),
    webhookLeaseMs,
    webhookRotationOverlapMs: int(env, "WEBHOOK_ROTATION_OVERLAP_MS", 86_400_000, 0, 30 * 86_400_000),
    webhookDeliveryRetentionHours: int(env, "WEBHOOK_DELIVERY_RETENTION_HOURS", 168, 1, 24 * 365),
  };
}
