import "reflect-metadata";
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type NextFunction, type Request, type Response } from "express";
import type { DocumentNode, GraphQLSchema } from "graphql";
import { InMemoryLRUCache } from "@apollo/utils.keyvaluecache";
import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import { createDataSource } from "../ormconfig";
import { bearerToken } from "./auth/tokens";
import type { Config } from "./config";
import { type Actor, type Connection, type RequestContext, withSharedLoaders } from "./context";
import type { EmbeddedDatabase } from "./db/embedded";
import { migrate, migrationsApplied, withMigrationLock } from "./db/migrate";
import { bindSqlScope, currentSqlScope, runInSqlScope } from "./db/sql-scope";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "./db/unavailable";
import { ConcurrencyGate } from "./db/concurrency-gate";
import { guardPool, UnitOfWork } from "./db/unit-of-work";
import { metricsGuard } from "./http/metrics-token";
import { untilReady } from "./http/starting";
import { createTimedHttpServer } from "./http/timeouts";
import { rethrowUnavailable } from "./http/unavailable";
import { noNulLiterals } from "./http/nul-guard";
import { graphiqlAssets, graphiqlPage, wantsGraphiql } from "./http/graphiql";
import { invitationPage } from "./http/invitation-page";
import { admission, admittedActor, limitRules, requestBuckets } from "./http/limits";
import { operationPolicy, operationPolicyPlugin } from "./http/operation-policy";
import { fastPath } from "./http/fast-path";
import { createLogger } from "./http/logger";
import { Metrics } from "./http/metrics";
import { createLoaders } from "./loaders";
import { RESOLVERS } from "./resolvers";
import { buildHandoverSchema } from "./schema/build-schema";
import { toGlobalId } from "./schema/global-id";
import { exportDownload } from "./http/export-download";
import { createServices, type Services } from "./services";
import type { Renderer } from "./services/webhooks/dispatcher";
import { webhookRenderer } from "./subscriptions/webhook-payloads";
import { createMailer, type Mailer } from "./services/team/mailer";
import { squashStatistics } from "./services/statistics/record";
import { squashCounts } from "./services/tickets/ticket-counts";
import { startEmbeddedDatabaseIn } from "./startup/data-dir";
import { listen } from "./startup/listen";
import { waitForDatabase } from "./startup/wait-for-database";
import { FeedClosed, FeedRelay } from "./subscriptions/feed";
import { eventSource, flowStartSource, notificationSource } from "./subscriptions/sources";
import { localWaker, pgListener, pgNotifier, pgSessionOutlet, redisWaker, sessionPayload } from "./subscriptions/wakers";
import { type CorsPolicy, corsPolicy } from "./http/cors";
import { csrfGuard, PREFLIGHT_HEADERS } from "./http/csrf";
import { attachWebSocketServer, CloseCode, type WebSocketServerHandle } from "./subscriptions/ws-server";
import proxyaddr from "proxy-addr";
import type { ErrorCode } from "./errors";

/** Live subscriptions one member may hold in one process (their costs together are bounded too). */
const MAX_SUBSCRIPTIONS_PER_MEMBER = 100;

export interface RunningServer {
  url: string;
  port: number;
  db: DataSource;
  schema: GraphQLSchema;
  log: Logger;
  /** Stops accepting, drains HTTP, closes sockets (1012), then the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Called with the bootstrap administrator's login on a brand-new database (the terminal). */
  announce?: (lines: string[]) => void;
  log?: Logger;
  /** Sends the server's emails; default: SMTP when SMTP_URL is set, else .eml files under DATA_DIR/mail. */
  mailer?: Mailer;
}

interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

function poolOf(db: DataSource): PoolLike | undefined {
  const driver = db.driver as unknown as { master?: PoolLike };
  return driver.master;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  // The port first: a port that is taken stops the start before anything is written (DATA_DIR,
  // migrations, the first administrator). Until the server is ready, every request gets 503.
  const app = express();
  app.disable("x-powered-by");
  // Whose X-Forwarded-For is believed about the client's address: the same for HTTP and WebSocket.
  const trustedProxies = proxyaddr.compile(config.trustProxy);
  app.set("trust proxy", trustedProxies);
  const httpServer = createTimedHttpServer(app, config);
  let ready = false;
  // Before anything else answers /graphql (503 while starting, 429, 413), so that a page of an
  // allowed origin can read every answer, Retry-After included.
  const cors = corsPolicy(config.corsOrigins, config.trustProxy);
  app.use("/graphql", cors.http);
  app.use(untilReady(() => ready));
  const port = await listen(httpServer, config.port, config.host);
  try {
    return await serve(config, options, { app, httpServer, port, cors, open: () => (ready = true) });
  } catch (error) {
    httpServer.close();
    throw error;
  }
}

interface BoundPort {
  app: express.Express;
  httpServer: Server;
  port: number;
  /** Which browser origins may call the API, over HTTP and WebSocket. */
  cors: CorsPolicy;
  /** Lets requests through to the routes. */
  open(): void;
}

/** Everything after the port is bound: the database, migrations, the first administrator, the routes. */
async function serve(config: Config, options: StartOptions, { app, httpServer, port, cors, open }: BoundPort): Promise<RunningServer> {
  const log = options.log ?? createLogger(config);
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedDatabaseIn(config.dataDir, config.dbPoolSize + 4);
    databaseUrl = embedded.url;
    log.info({ dataDir: config.dataDir }, "using the embedded database (set DATABASE_URL for PostgreSQL)");
  } else {
    const direct = config.databaseDirectUrl;
    await Promise.all([
      waitForDatabase(databaseUrl, config.databaseWaitSeconds, log),
      direct && waitForDatabase(direct, config.databaseWaitSeconds, log, undefined, "DATABASE_DIRECT_URL"),
    ]);
  }
  // What needs a session of its own (LISTEN, the migration lock) goes to DATABASE_DIRECT_URL when
  // DATABASE_URL is a pooler in transaction mode; the pool needs none.
  const sessionUrl = config.databaseDirectUrl ?? databaseUrl;

  const db = createDataSource({ url: databaseUrl, poolSize: config.dbPoolSize, prepareStatements: config.dbPreparedStatements });
  await db.initialize();
  guardPool(db);
  const metrics = new Metrics(() => {
    const pool = poolOf(db);
    return pool && { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  });
  // Webhook data is read through the schema, built below; deliveries start once it is.
  const webhookData: { render?: Renderer } = {};
  const services = createServices(db, config, options.mailer ?? createMailer(config, log), {
    log,
    globalId: toGlobalId,
    webhookData: (workspaceId, items) => {
      if (!webhookData.render) throw new Error("webhook data was asked for before the schema was built");
      return webhookData.render(workspaceId, items);
    },
    webhookEvents: { attempted: (ok) => metrics.webhookAttempt(ok), disabled: () => metrics.webhookDisabled() },
  });
  const firstAdmin = await withMigrationLock(
    db,
    async () => {
      const applied = await migrate(db);
      if (applied.length > 0) log.info({ migrations: applied }, "migrations applied");
      return services.identity.bootstrap(db);
    },
    // The embedded database runs one transaction at a time: its lock is a session lock on the pool.
    embedded ? {} : { url: sessionUrl, onLost: (error) => log.warn({ err: error }, "the migration lock's connection was lost") },
  );
  if (firstAdmin) {
    const lines = [
      `First administrator created: ${firstAdmin.email}`,
      firstAdmin.generatedPassword
        ? `Password (shown only this once): ${firstAdmin.generatedPassword}`
        : "Password: the one in HANDOVER_ADMIN_PASSWORD",
    ];
    (options.announce ?? ((l: string[]) => process.stdout.write(`\n${l.join("\n")}\n\n`)))(lines);
  }

  const schema = await buildHandoverSchema(RESOLVERS);
  metrics.trackWebhookLag(async () => {
    const lag = await services.webhookDispatcher.lag();
    return {
      behind: lag.behind,
      worst: lag.worst.map((w) => ({ webhook: toGlobalId("Webhook", w.id), events: w.events, seconds: w.seconds })),
    };
  });

  const feeds = new FeedRelay(
    { events: eventSource(db), flowStarts: flowStartSource(db), notifications: notificationSource(db) },
    { maxQueued: 1000, maxQueuedBytes: 1024 * 1024 },
    (error) => log.warn({ err: error }, "reading a subscription feed failed"),
  );
  // Commits and session changes reach the other processes through Redis or LISTEN/NOTIFY; the
  // embedded database serves one process, which hears its own directly.
  const hearers = { feeds, sessions: services.sessions, origin: randomUUID() };
  const redis = config.redisUrl ? redisWaker(config.redisUrl, hearers, log) : undefined;
  const wakers = [localWaker(feeds, redis?.publish)];
  if (redis) {
    wakers.push(redis.waker);
    services.sessions.relayTo((workspaceId) => redis.publish(sessionPayload(hearers.origin, workspaceId)));
  } else if (!embedded) {
    wakers.push(
      pgListener(sessionUrl, hearers, log, {
        notify: pgNotifier(db),
        urlName: config.databaseDirectUrl ? "DATABASE_DIRECT_URL" : "DATABASE_URL",
      }),
    );
    services.sessions.relayTo(pgSessionOutlet(db, hearers.origin, log));
  }
  // The safety net: a notification lost on the way costs at most this delay.
  const sweeper = setInterval(() => feeds.sweep(), config.feedSweepIntervalMs);
  sweeper.unref();

  // A workspace's transactions may hold at most half the pool at once; the rest wait, holding nothing.
  const writers = new ConcurrencyGate(Math.max(1, Math.floor(config.dbPoolSize / 2)));
  const contextFor = async (
    token: string | undefined,
    clientAddress: string | undefined,
    actor?: Actor,
    connection?: Connection,
  ): Promise<RequestContext> => {
    const resolved = actor ?? (token ? await services.tokens.authenticate(token) : undefined);
    if (resolved) bindSqlScope(resolved.workspaceId);
    const requestId = currentSqlScope()?.requestId ?? randomUUID();
    const work = new UnitOfWork(db, {
      settled: () => ctx.renewLoaders(),
      permit: () => writers.acquire(resolved?.workspaceId ?? "anonymous"),
    });
    const freshLoaders = () => createLoaders(work, resolved?.workspaceId, () => ctx.actor?.topicIds ?? null);
    const ctx: RequestContext = withSharedLoaders(
      {
        requestId,
        actor: resolved,
        token,
        clientAddress,
        work,
        renewLoaders: () => {
          ctx.loaders = freshLoaders();
        },
        services,
        feeds,
        connection,
        log: log.child({ requestId }),
      },
      freshLoaders,
    );
    return ctx;
  };

  // One bucket per token (or anonymous client address), shared by HTTP requests and WebSocket operations.
  const buckets = requestBuckets(config);
  // What every operation over HTTP goes through, on Apollo's path and on the fast path alike.
  const policy = operationPolicy(schema, config, log, metrics);
  const apollo = new ApolloServer<RequestContext>({
    schema,
    csrfPrevention: { requestHeaders: PREFLIGHT_HEADERS },
    // INTROSPECTION=false is enforced by limitRules, with its own error code.
    introspection: true,
    // main.ts stops the server on SIGTERM and SIGINT. Apollo's own handlers would stop it a second
    // time, concurrently, and Apollo's second stop() waits forever for the first.
    stopOnTerminationSignals: false,
    hideSchemaDetailsFromClientErrors: !config.introspection,
    allowBatchedHttpRequests: false,
    // Validation grows with the square of a document's repeated fields: a bound on its size, in
    // tokens, comes first.
    parseOptions: policy.parseOptions,
    // Apollo sizes a stored document by its JSON, which leaves out its source text: a document
    // that is mostly one long comment counted a few hundred bytes and kept a megabyte alive, and
    // a few thousand such requests filled the heap. Counted with its text, as its default 30 MiB.
    documentStore: new InMemoryLRUCache<DocumentNode>({
      maxSize: 30 * 2 ** 20,
      sizeCalculation: (document) => InMemoryLRUCache.sizeCalculation(document) + (document.loc?.source.body.length ?? 0),
    }),
    includeStacktraceInErrorResponses: false,
    formatError: policy.formatError,
    validationRules: policy.validationRules,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are set; left on, it wraps every field resolver to collect them.
      ApolloServerPluginCacheControlDisabled(),
      operationPolicyPlugin(policy),
    ],
  });
  await apollo.start();

  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header("x-request-id");
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader("x-request-id", requestId);
    runInSqlScope(requestId, () => next());
  });
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    try {
      const ready = await migrationsApplied(db);
      res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "migrations pending" });
    } catch {
      res.status(503).json({ status: "database unreachable" });
    }
  });
  app.get("/metrics", metricsGuard(config.metricsToken), async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  const graphiqlOptions = { endpoint: "/graphql" };
  app.use(graphiqlAssets(graphiqlOptions));
  const page = graphiqlPage(graphiqlOptions);
  app.get("/graphql", (req, res, next) => (wantsGraphiql(req) ? page(req, res, next) : next()));
  // The page behind the invitation emails' links.
  app.use(invitationPage({ endpoint: "/graphql", signInPath: "/graphql" }));
  // A browser that opens the server's address finds GraphiQL.
  app.get("/", (_req, res) => res.redirect(302, "/graphql"));
  // Export files: for the requester's bearer token (the same admission as /graphql) or a single-use link.
  app.use(
    exportDownload(
      admission((token) => services.tokens.authenticate(token), buckets),
      (request) => services.exports.runner.openDownload(request),
      log,
    ),
  );
  // admission has authenticated the token: a token it found nothing for is not looked up again.
  const requestContextOf = (req: Request, res: Response): Promise<RequestContext> => {
    const actor = admittedActor(res);
    return contextFor(actor ? bearerToken(req.headers.authorization) : undefined, req.ip, actor).catch(rethrowUnavailable);
  };
  app.use(
    "/graphql",
    csrfGuard(),
    admission((token) => services.tokens.authenticate(token), buckets),
    express.json({ limit: config.bodyLimitBytes }),
    ...(config.graphqlFastPath ? [fastPath(policy, requestContextOf, () => metrics.servedFast())] : []),
    expressMiddleware(apollo, { context: ({ req, res }) => requestContextOf(req, res) }),
  );
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    if (isDatabaseUnavailable(error)) {
      const requestId = currentSqlScope()?.requestId;
      log.warn({ err: error, requestId }, "database unavailable");
      const { code, status, message, retryAfter } = DATABASE_UNAVAILABLE;
      res.status(status).set("retry-after", String(retryAfter));
      res.json({ errors: [{ message: `${message} Quote request id ${requestId} if it lasts.`, extensions: { code, requestId } }] });
      return;
    }
    const status = typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : 500;
    if (status >= 500) log.error({ err: error, requestId: currentSqlScope()?.requestId }, "request failed");
    const message =
      status === 413
        ? `The request body is larger than the limit of ${config.bodyLimitBytes} bytes.`
        : status === 400
          ? "The request body is not valid JSON."
          : status === 415
            ? "The request body's character set is not supported: send JSON in UTF-8."
            : status < 500
              ? "The request could not be read."
              : "Internal server error.";
    const code: ErrorCode = status === 413 ? "PAYLOAD_TOO_LARGE" : status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST";
    const limit = status === 413 ? { limit: config.bodyLimitBytes } : {};
    res.status(status).json({ errors: [{ message, extensions: { code, ...limit, requestId: currentSqlScope()?.requestId } }] });
  });

  // WebSocket upgrades find their client's address as Express finds a request's.
  const socketProxies = proxyaddr.compile(config.trustProxy);
  const ws: WebSocketServerHandle = attachWebSocketServer({
    httpServer,
    path: "/graphql",
    schema,
    log,
    authenticate: (token) => services.tokens.authenticate(token),
    currentActors: (tokenIds) => services.tokens.currentActors(tokenIds),
    refusal: (token) => services.tokens.refusal(token),
    refusals: (tokenIds) => services.tokens.refusals(tokenIds),
    sessions: services.sessions,
    recheckIntervalMs: config.sessionRecheckIntervalMs,
    validationRules: [noNulLiterals, ...limitRules(config)],
    maxTokens: config.maxQueryTokens,
    checkOperation: (document, operation, variables) => policy.admit(document, operation, variables),
    subscriptionLimits: { count: MAX_SUBSCRIPTIONS_PER_MEMBER, cost: config.maxQueryCost },
    admit: (actor) => buckets?.take(actor, undefined)?.wait ?? 0,
    addressOf: (request) => proxyaddr(request, socketProxies),
    allowsUpgrade: (request) => cors.allowsUpgrade(request),
    keepAliveMs: config.wsKeepAliveMs,
    context: (actor, token, connection, address) => contextFor(token, address, actor, connection),
  });

  // Exports interrupted by a stopped process become FAILED, finished ones past their retention
  // EXPIRED (their files deleted): at start, then periodically, in every process.
  const sweepExports = () =>
    services.exports.runner.sweep().catch((error: unknown) => log.warn({ err: error }, "sweeping ticket exports failed"));
  void sweepExports();
  const exportSweeper = setInterval(sweepExports, config.exportSweepIntervalMs);
  exportSweeper.unref();

  // Webhooks: every process delivers, each endpoint by one process at a time (a lease on its row),
  // woken by the commits that reach the feeds and polling in case a wake-up was lost.
  webhookData.render = webhookRenderer(
    schema,
    (actor) => contextFor(undefined, undefined, actor),
    toGlobalId,
    (error) => log.warn({ err: error }, "a webhook delivery's data could not be read in full"),
  );
  feeds.observe((feed, workspaceId) => {
    if (feed !== "notifications") services.webhookDispatcher.poke(workspaceId);
  });
  services.webhookDispatcher.start();

  // Folds ticket count and statistics deltas in the background; both are exact whether or not it has run.
  // One fold at a time: a tick while the last one still runs (a backlog, a busy database) is skipped,
  // rather than queueing more folds for the pool.
  let squashing = false;
  const squasher = setInterval(() => {
    if (squashing) return;
    squashing = true;
    squashCounts(db)
      .then(() => squashStatistics(db))
      .catch((error: unknown) => log.warn({ err: error }, "squashing ticket counts or statistics failed"))
      .finally(() => (squashing = false));
  }, config.countSquashIntervalMs);
  squasher.unref();

  open();
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const url = `http://${host}:${port}/graphql`;
  log.info({ url }, "Handover is serving");

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(squasher);
      clearInterval(sweeper);
      clearInterval(exportSweeper);
      feeds.closeAll(new FeedClosed(CloseCode.ServiceRestart, "Server shutting down"));
      await ws.close();
      await Promise.all(wakers.map((w) => w.close()));
      await apollo.stop();
      // Running exports stop and are marked FAILED (interrupted) while the database is still there.
      await services.exports.runner.close();
      // Requests to receivers in flight finish (at most WEBHOOK_TIMEOUT_MS); leases are given back.
      await services.webhookDispatcher.close();
      await db.destroy();
      await embedded?.stop();
    })();
    return closing;
  };
  return { url, port, db, schema, log, close };
}

export type { Services };
