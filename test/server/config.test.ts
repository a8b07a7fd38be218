import { spawnSync } from "node:child_process";
import path from "node:path";
import { ConfigError, loadConfig } from "../../src/config";

describe("configuration", () => {
  it("has a default for everything", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      databaseUrl: undefined,
      dbPoolSize: 10,
      signupDisabled: false,
      sessionIdleDays: 30,
      workspaceName: "Handover",
    });
    expect(config.publicUrl).toBe("http://localhost:4000");
  });

  it("has the limits of DESIGN.md by default", () => {
    expect(loadConfig({})).toMatchObject({
      bodyLimitBytes: 1048576,
      maxQueryDepth: 12,
      maxQueryCost: 50000,
      maxAliases: 100,
      rateLimitPerSecond: 20,
      rateLimitBurst: 60,
      rateLimitMemberPerSecond: 40,
      rateLimitMemberBurst: 120,
      loginMaxFailures: 5,
      loginFailureWindowSeconds: 900,
      introspection: true,
    });
    expect(loadConfig({ RATE_LIMIT_PER_SECOND: "0", INTROSPECTION: "false" })).toMatchObject({
      rateLimitPerSecond: 0,
      introspection: false,
    });
  });

  it("bounds how long a client may take, keeps /metrics open, and waits a minute for the database by default", () => {
    expect(loadConfig({})).toMatchObject({
      httpHeadersTimeoutMs: 10000,
      httpRequestTimeoutMs: 30000,
      httpKeepAliveTimeoutMs: 5000,
      httpIdleTimeoutMs: 60000,
      metricsToken: undefined,
      databaseWaitSeconds: 60,
    });
    expect(
      loadConfig({
        HTTP_HEADERS_TIMEOUT_MS: "2000",
        HTTP_REQUEST_TIMEOUT_MS: "2000",
        HTTP_KEEP_ALIVE_TIMEOUT_MS: "65000",
        HTTP_IDLE_TIMEOUT_MS: "120000",
        METRICS_TOKEN: " 0123456789abcdef ",
        DATABASE_WAIT_SECONDS: "0",
      }),
    ).toMatchObject({
      httpHeadersTimeoutMs: 2000,
      httpRequestTimeoutMs: 2000,
      httpKeepAliveTimeoutMs: 65000,
      httpIdleTimeoutMs: 120000,
      metricsToken: "0123456789abcdef",
      databaseWaitSeconds: 0,
    });
  });

  it("takes a direct database URL beside DATABASE_URL, never without it", () => {
    expect(loadConfig({}).databaseDirectUrl).toBeUndefined();
    expect(
      loadConfig({ DATABASE_URL: "postgres://u:p@pgbouncer:6432/db", DATABASE_DIRECT_URL: "postgres://u:p@db:5432/db" }),
    ).toMatchObject({ databaseUrl: "postgres://u:p@pgbouncer:6432/db", databaseDirectUrl: "postgres://u:p@db:5432/db" });
    expect(() => loadConfig({ DATABASE_DIRECT_URL: "postgres://u:p@db:5432/db" })).toThrow(
      "Invalid configuration: DATABASE_DIRECT_URL needs DATABASE_URL: it is a second way to the same PostgreSQL database",
    );
    expect(() => loadConfig({ DATABASE_URL: "postgres://u:p@pgbouncer:6432/db", DATABASE_DIRECT_URL: "redis://db" })).toThrow(
      /DATABASE_DIRECT_URL must start with postgres:\/\/ or postgresql:\/\//,
    );
  });

  it("never repeats a rejected METRICS_TOKEN in its message", () => {
    expect(() => loadConfig({ METRICS_TOKEN: "short-secret" })).toThrow(
      "Invalid configuration: METRICS_TOKEN must be 16 to 512 printable ASCII characters without spaces",
    );
  });

  it.each([
    ["PORT", "eighty", /PORT must be a whole number/],
    ["PORT", "70000", /PORT must be between 0 and 65535/],
    ["DATABASE_URL", "mysql://x", /DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//],
    ["DATABASE_URL", "::", /DATABASE_URL is not a valid URL/],
    ["SIGNUP_DISABLED", "maybe", /SIGNUP_DISABLED must be true or false/],
    ["LOG_LEVEL", "loud", /LOG_LEVEL must be one of/],
    ["HANDOVER_ADMIN_EMAIL", "nobody", /HANDOVER_ADMIN_EMAIL is not an email address/],
    ["HANDOVER_ADMIN_PASSWORD", "short", /HANDOVER_ADMIN_PASSWORD must be at least 8 characters/],
    ["DB_POOL_SIZE", "0", /DB_POOL_SIZE must be between 1 and 500/],
    ["SMTP_URL", "http://mail.example.com", /SMTP_URL must start with smtp:\/\/ or smtps:\/\//],
    ["MAIL_FROM", "nobody", /MAIL_FROM must be an address/],
    ["MAX_QUERY_DEPTH", "0", /MAX_QUERY_DEPTH must be between 1 and 1000/],
    ["MAX_QUERY_COST", "-5", /MAX_QUERY_COST must be a whole number/],
    ["MAX_ALIASES", "many", /MAX_ALIASES must be a whole number/],
    ["RATE_LIMIT_PER_SECOND", "2.5", /RATE_LIMIT_PER_SECOND must be a whole number/],
    ["RATE_LIMIT_BURST", "0", /RATE_LIMIT_BURST must be between 1 and 1000000/],
    ["LOGIN_MAX_FAILURES", "0", /LOGIN_MAX_FAILURES must be between 1 and 1000/],
    ["LOGIN_FAILURE_WINDOW_SECONDS", "0", /LOGIN_FAILURE_WINDOW_SECONDS must be between 1 and 86400/],
    ["INTROSPECTION", "maybe", /INTROSPECTION must be true or false/],
    ["HTTP_HEADERS_TIMEOUT_MS", "50", /HTTP_HEADERS_TIMEOUT_MS must be between 100 and 600000/],
    ["HTTP_HEADERS_TIMEOUT_MS", "40000", /HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS \(30000\), got 40000/],
    ["HTTP_REQUEST_TIMEOUT_MS", "0", /HTTP_REQUEST_TIMEOUT_MS must be between 100 and 3600000/],
    ["HTTP_KEEP_ALIVE_TIMEOUT_MS", "5s", /HTTP_KEEP_ALIVE_TIMEOUT_MS must be a whole number/],
    ["HTTP_IDLE_TIMEOUT_MS", "0", /HTTP_IDLE_TIMEOUT_MS must be between 100 and 3600000/],
    ["METRICS_TOKEN", "has a space in the middle", /METRICS_TOKEN must be 16 to 512 printable ASCII characters/],
    ["DATABASE_WAIT_SECONDS", "3601", /DATABASE_WAIT_SECONDS must be between 0 and 3600/],
  ])("names the bad variable: %s=%s", (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it("stops the server at start with the message, before touching any database", () => {
    const result = spawnSync(process.execPath, ["-r", "@swc-node/register", "src/main.ts"], {
      cwd: path.resolve(__dirname, "..", ".."),
      env: { ...process.env, PORT: "not-a-port" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('Invalid configuration: PORT must be a whole number, got "not-a-port"');
  });
});
