import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { GraphQLFormattedError, GraphQLSchema, OperationDefinitionNode } from "graphql";
import { Kind } from "graphql";

/** Prometheus metrics of one server process, exposed at /metrics. */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"operation">;
  private readonly duration: Histogram<"operation">;
  private readonly errors: Counter<"code">;
  private readonly fast: Counter;
  private readonly webhookAttempts: Counter<"result">;
  private readonly webhooksDisabled: Counter;

  constructor(pool: () => { total: number; idle: number; waiting: number } | undefined) {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: "handover_graphql_requests_total",
      help: "GraphQL operations served, by operation (type and root field)",
      labelNames: ["operation"],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: "handover_graphql_request_duration_seconds",
      help: "GraphQL operation duration, by operation",
      labelNames: ["operation"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.errors = new Counter({
      name: "handover_graphql_errors_total",
      help: "GraphQL errors returned, by code",
      labelNames: ["code"],
      registers: [this.registry],
    });
    this.fast = new Counter({
      name: "handover_graphql_fast_path_requests_total",
      help: "GraphQL operations over HTTP run on the fast path, below Apollo's request pipeline (the rest of handover_graphql_requests_total went through it)",
      registers: [this.registry],
    });
    this.webhookAttempts = new Counter({
      name: "handover_webhook_deliveries_total",
      help: "Webhook delivery attempts made by this process, by result (delivered: a 2xx; failed: anything else)",
      labelNames: ["result"],
      registers: [this.registry],
    });
    this.webhooksDisabled = new Counter({
      name: "handover_webhooks_disabled_total",
      help: "Webhook endpoints this process disabled after their deliveries kept failing",
      registers: [this.registry],
    });
    for (const key of ["total", "idle", "waiting"] as const) {
      new Gauge({
        name: `handover_db_pool_${key}_connections`,
        help: `Database pool connections: ${key}`,
        registers: [this.registry],
        collect() {
          this.set(pool()?.[key] ?? 0);
        },
      });
    }
  }

  /** Labels only with names the schema defines, so clients cannot grow the label set. */
  static operationLabel(schema: GraphQLSchema, operation: OperationDefinitionNode | undefined): string {
    if (!operation) return "invalid";
    const root =
      operation.operation === "query"
        ? schema.getQueryType()
        : operation.operation === "mutation"
          ? schema.getMutationType()
          : schema.getSubscriptionType();
    const first = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
    const name = first && first.kind === Kind.FIELD ? first.name.value : undefined;
    const known = name !== undefined && root?.getFields()[name] !== undefined;
    return `${operation.operation}:${known ? name : name === "__typename" || name === "__schema" ? name : "unknown"}`;
  }

  /** Counts a webhook delivery attempt. */
  webhookAttempt(ok: boolean): void {
    this.webhookAttempts.inc({ result: ok ? "delivered" : "failed" });
  }

  webhookDisabled(): void {
    this.webhooksDisabled.inc();
  }

  /**
   * How far behind the webhook endpoints are, read from the database at each scrape: how many
   * have an item waiting, and for those furthest behind (a bounded number, so that endpoints
   * cannot grow the series without bound) the items waiting and the age of the oldest, labelled
   * with the endpoint's id.
   */
  trackWebhookLag(read: () => Promise<{ behind: number; worst: Array<{ webhook: string; events: number; seconds: number }> }>): void {
    type Lag = Awaited<ReturnType<typeof read>>;
    const none: Lag = { behind: 0, worst: [] };
    let last: Promise<Lag> | undefined;
    // One read serves the scrapes of the next 5 s: a client scraping in a loop costs the database
    // one read every 5 s, not one per scrape.
    const current = () => (last ??= read().finally(() => setTimeout(() => (last = undefined), 5000).unref()));
    new Gauge({
      name: "handover_webhooks_behind",
      help: "Enabled webhook endpoints with at least one committed item not yet delivered",
      registers: [this.registry],
      async collect() {
        this.set((await current().catch(() => none)).behind);
      },
    });
    new Gauge({
      name: "handover_webhook_lag_events",
      help: "Items (events, flow starts) committed and not yet delivered, for the 100 endpoints furthest behind (counted up to 10000)",
      labelNames: ["webhook"],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const lag of (await current().catch(() => none)).worst) this.set({ webhook: lag.webhook }, lag.events);
      },
    });
    new Gauge({
      name: "handover_webhook_lag_seconds",
      help: "Age of the oldest item not yet delivered, for the 100 endpoints furthest behind",
      labelNames: ["webhook"],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const lag of (await current().catch(() => none)).worst) this.set({ webhook: lag.webhook }, lag.seconds);
      },
    });
  }

  /** Counts an operation run on the fast path (http/fast-path.ts); `record` counts it too. */
  servedFast(): void {
    this.fast.inc();
  }

  /** Counts one GraphQL operation over HTTP: its label (operationLabel), how long it took, its errors by code. */
  record(label: string, seconds: number, errors: readonly GraphQLFormattedError[] | undefined): void {
    this.requests.inc({ operation: label });
    this.duration.observe({ operation: label }, seconds);
    for (const error of errors ?? []) {
      const code = typeof error.extensions?.code === "string" ? error.extensions.code : "UNKNOWN";
      this.errors.inc({ code });
    }
  }
}
