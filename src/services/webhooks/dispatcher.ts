import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import { columnsOf } from "../../db/columns";
import { returningRows } from "../../db/returning";
import { inWorkspaceScope, runInSqlScope, unscoped } from "../../db/sql-scope";
import { uuidv7 } from "../../db/uuid";
import { Webhook } from "../../entities";
import type { Attempt, Sender } from "./sender";
import { signatureHeader } from "./signature";
import { type FeedItem, type FeedPosition, readFeed } from "./webhook-feed";

/** An endpoint's row as the services read it (never its secrets). */
export type WebhookRow = Omit<Webhook, "secret" | "previousSecrets" | "workspace">;

export const WEBHOOK_COLUMNS = columnsOf(Webhook, "w");

/** The secrets that sign an endpoint's requests now (alias w): the current one, then those rotated out whose overlap runs on. */
export const SIGNING_SECRETS = `ARRAY[w.secret] || ARRAY(SELECT p ->> 'secret' FROM jsonb_array_elements(w.previous_secrets) p
  WHERE (p ->> 'until')::timestamptz > now() ORDER BY (p ->> 'until')::timestamptz DESC)`;

/** An endpoint as a delivery needs it: with the secrets that sign (the previous one while it still does). */
type Endpoint = WebhookRow & { secrets: string[] };

const ENDPOINT_COLUMNS = `${WEBHOOK_COLUMNS},
  ${SIGNING_SECRETS} AS secrets`;

export interface DispatcherOptions {
  /** How often every endpoint is checked for something to send (a commit's wake-up is faster). */
  pollMs: number;
  /** How long a process keeps an endpoint to itself without renewing (longer than a request's timeout). */
  leaseMs: number;
  /** A request's timeout: the lease is renewed before a request that could outlive it. */
  timeoutMs: number;
  /** The first retry's delay; each next one doubles, up to retryMaxMs, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long an item is retried before the endpoint is disabled (3 days). */
  giveUpMs: number;
  /** How long the delivery log is kept (7 days). */
  retentionMs: number;
  /** Items read (and sent one by one) per statement. */
  batch?: number;
}

/** The endpoints furthest behind that /metrics reports one by one (the rest are counted together). */
export const LAG_REPORTED = 100;
/** The items after each endpoint's position that the lag metric looks through for its oldest waiting one. */
const LAG_PROBED = 1000;

/** The body of a delivery, as the JSON an endpoint receives. */
export interface DeliveryBody {
  type: string;
  timestamp: string;
  cursor: string;
  data: unknown;
}

/**
 * The API's view of items: each event or flow start as the API gives it to an administrator
 * (without contact fields), by item id. Given by the composition root, which has the schema.
 */
export type Renderer = (workspaceId: string, items: FeedItem[]) => Promise<Map<string, unknown>>;

/** What the metrics count. */
export interface DispatcherEvents {
  attempted(ok: boolean): void;
  disabled(): void;
}

/**
 * Writes one attempt to an endpoint's delivery log, through `db` (the pool, or a request's unit of
 * work); nothing when the endpoint was deleted meanwhile.
 */
export async function logDelivery(
  db: { query: (sql: string, params?: unknown[]) => Promise<unknown> },
  endpoint: { workspaceId: string; id: string },
  entry: { messageId: string; cursor: string; attempt: number; result: Attempt; nextAttemptAt: Date | null },
): Promise<void> {
  const clean = (text: string | null) => text?.replaceAll("\u0000", "\uFFFD") ?? null;
  await db.query(
    `INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, message_id, cursor, attempt, status_code, duration_ms, response, error, next_attempt_at)
     SELECT $3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $11 WHERE EXISTS (SELECT 1 FROM webhooks WHERE workspace_id = $1 AND id = $2)`,
    [
      endpoint.workspaceId,
      endpoint.id,
      uuidv7(),
      entry.messageId,
      entry.cursor,
      entry.attempt,
      entry.result.statusCode,
      entry.result.durationMs,
      clean(entry.result.response),
      clean(entry.result.error),
      entry.nextAttemptAt,
    ],
  );
}

/** "3 days", "2 hours", "45 seconds": how long an endpoint was retried, for its disabledReason. */
function durationText(ms: number): string {
  const [unit, size] = (
    [
      ["day", 86_400_000],
      ["hour", 3_600_000],
      ["minute", 60_000],
      ["second", 1000],
    ] as const
  ).find(([, size]) => ms >= size) ?? ["second", 1000];
  const n = Math.round((ms / size) * 10) / 10;
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** Where an endpoint stands in its feed. */
function positionOf(endpoint: Pick<WebhookRow, "positionTx" | "positionKind" | "positionSeq">): FeedPosition {
  return { txId: String(endpoint.positionTx), kind: endpoint.positionKind === 1 ? 1 : 0, seq: String(endpoint.positionSeq) };
}

/** The delay before retrying after the `attempt`th failure: exponential, capped, with jitter (half to all of it). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 40));
  return Math.round(full / 2 + (random() * full) / 2);
}

/**
 * Delivers webhooks from every server process without sending twice at once: a process takes an
 * endpoint by a lease on its row (skipping rows another process is taking), sends its items one at
 * a time in the feed's order, moves its position only after a 2xx, and gives the lease back when
 * it has nothing more to send or must wait for a retry. A process that dies loses its leases when
 * they run out; another takes over from the position, sending again the item that was in flight
 * (at least once: receivers deduplicate by the webhook-id header, the same for every attempt).
 *
 * Nothing is held between statements: no transaction spans a request, so the embedded database,
 * which runs one transaction at a time, is never held by a slow receiver.
 */
export class WebhookDispatcher {
  /** This process, as leases name it. */
  readonly owner = `${process.pid}-${randomUUID()}`;
  private readonly working = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** The workspaces with an enabled endpoint (refreshed at each poll): a commit elsewhere wakes nothing here. */
  private activeWorkspaces = new Set<string>();
  private poller: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly batch: number;

  constructor(
    private readonly db: DataSource,
    private readonly log: Logger,
    private readonly sender: Sender,
    private readonly render: Renderer,
    private readonly options: DispatcherOptions,
    private readonly events: DispatcherEvents = { attempted: () => undefined, disabled: () => undefined },
  ) {
    this.batch = options.batch ?? 50;
  }

  /** Starts polling and the delivery log's retention sweep. */
  start(): void {
    const poll = () => {
      void this.claim(undefined);
      void this.refreshActive();
    };
    poll();
    this.poller = setInterval(poll, this.options.pollMs);
    this.poller.unref();
    const sweep = () =>
      void this.sweep().catch((error: unknown) => this.log.warn({ err: error }, "sweeping the webhook delivery log failed"));
    this.sweeper = setInterval(sweep, Math.min(this.options.retentionMs, 60_000));
    this.sweeper.unref();
  }

  /**
   * Something was committed in a workspace: its endpoints, if it has any enabled, are looked at
   * now, and again shortly (its items may not be below the horizon yet).
   */
  poke(workspaceId: string): void {
    if (!this.activeWorkspaces.has(workspaceId)) return;
    this.wake(workspaceId);
  }

  /** An endpoint of the workspace was made, enabled or replayed here: looked at now, whatever the last poll saw. */
  wake(workspaceId: string): void {
    this.activeWorkspaces.add(workspaceId);
    if (this.closed || this.pending.has(workspaceId)) return;
    void this.claim(workspaceId);
    const retry = setTimeout(() => {
      this.pending.delete(workspaceId);
      void this.claim(workspaceId);
    }, 50);
    retry.unref();
    this.pending.set(workspaceId, retry);
  }

  private async refreshActive(): Promise<void> {
    try {
      const rows = await runInSqlScope("webhooks:active", () =>
        unscoped(() => this.db.query<Array<{ workspace_id: string }>>(`SELECT DISTINCT workspace_id FROM webhooks WHERE enabled`)),
      );
      this.activeWorkspaces = new Set(rows.map((r) => r.workspace_id));
    } catch (error) {
      if (!this.closed) this.log.warn({ err: error }, "reading which workspaces have webhooks failed");
    }
  }

  /** How many endpoints this process is sending to now. */
  get active(): number {
    return this.working.size;
  }

  /** Stops taking endpoints, lets requests in flight finish, and gives every lease back. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    clearInterval(this.sweeper);
    for (const timer of this.pending.values()) clearTimeout(timer);
    await Promise.allSettled(this.working.values());
    await runInSqlScope("webhooks:close", () =>
      unscoped(() => this.db.query(`UPDATE webhooks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1`, [this.owner])),
    ).catch(() => undefined);
    this.sender.close();
  }

  /** Takes the due endpoints that have something after their position (of one workspace, or all) and sends to each. */
  private async claim(workspaceId: string | undefined): Promise<void> {
    if (this.closed) return;
    let claimed: Endpoint[];
    try {
      claimed = await runInSqlScope("webhooks:claim", () =>
        unscoped(async () =>
          returningRows<Endpoint>(
            await this.db.query(
              `WITH h AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin)
               UPDATE webhooks w SET lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond'
                WHERE w.id IN (
                  SELECT c.id FROM webhooks c, h
                   WHERE c.enabled AND c.next_attempt_at <= now()
                     AND (c.lease_owner IS NULL OR c.lease_until < now())
                     AND ($3::uuid IS NULL OR c.workspace_id = $3)
                     AND NOT (c.id = ANY($4::uuid[]))
                     -- The next item after the position, in index order (an EXISTS let the planner scan
                     -- every event of a large workspace), is committed below the horizon.
                     AND ((SELECT e.tx_id FROM ticket_events e
                            WHERE e.workspace_id = c.workspace_id
                              AND (e.tx_id, e.seq) > (c.position_tx, CASE WHEN c.position_kind = 0 THEN c.position_seq ELSE 9223372036854775807 END)
                            ORDER BY e.tx_id, e.seq LIMIT 1) < h.xmin
                          OR (SELECT s.tx_id FROM flow_starts s
                            WHERE s.workspace_id = c.workspace_id
                              AND (s.tx_id, s.seq) > (c.position_tx, CASE WHEN c.position_kind = 1 THEN c.position_seq ELSE -1 END)
                            ORDER BY s.tx_id, s.seq LIMIT 1) < h.xmin)
                   ORDER BY c.next_attempt_at
                   LIMIT 100
                   FOR UPDATE OF c SKIP LOCKED)
                RETURNING ${ENDPOINT_COLUMNS}`,
              [this.owner, this.options.leaseMs, workspaceId ?? null, [...this.working.keys()]],
            ),
          ),
        ),
      );
    } catch (error) {
      if (!this.closed) this.log.warn({ err: error }, "looking for webhooks to deliver failed");
      return;
    }
    for (const endpoint of claimed) {
      if (this.working.has(endpoint.id)) continue;
      const work = inWorkspaceScope(`webhook:${endpoint.id}`, endpoint.workspaceId, () => this.deliverAll(endpoint))
        .catch((error: unknown) => {
          this.log.error(
            { err: error, webhookId: endpoint.id },
            "delivering webhooks failed; the lease runs out and the endpoint is taken again",
          );
        })
        .finally(() => this.working.delete(endpoint.id));
      this.working.set(endpoint.id, work);
    }
  }

  /**
   * Sends the endpoint's items until none is left, one fails, or the endpoint is no longer ours to
   * send to (deleted, paused, or moved by a replay: then it is given back and looked at again).
   */
  private async deliverAll(first: Endpoint): Promise<void> {
    let endpoint: Endpoint = first;
    let leaseUntil = Date.now() + this.options.leaseMs;
    while (!this.closed) {
      const position = positionOf(endpoint);
      const { items, horizon } = await readFeed(
        this.db,
        endpoint.workspaceId,
        position,
        { types: endpoint.events, topicIds: endpoint.topicIds },
        this.batch,
      );
      if (items.length === 0) return this.skipAhead(endpoint, position, horizon);
      const rendered = await this.render(endpoint.workspaceId, items);
      for (const item of items) {
        if (this.closed) return this.release(endpoint.id, endpoint.workspaceId);
        // A request may take the whole timeout: the lease must outlast it.
        if (leaseUntil - Date.now() < this.options.timeoutMs + 1000) {
          if (!(await this.renew(endpoint))) return this.moved(endpoint);
          leaseUntil = Date.now() + this.options.leaseMs;
        }
        const body: DeliveryBody = {
          type: item.type,
          timestamp: item.createdAt.toISOString(),
          cursor: item.cursor,
          data: rendered.get(item.id) ?? null,
        };
        const attempt = endpoint.attempt + 1;
        const result = await this.send(endpoint, `msg_${item.id}`, JSON.stringify(body));
        this.events.attempted(result.ok);
        if (!result.ok) return this.failed(endpoint, item, attempt, result);
        const now = await this.acknowledged(endpoint, item, attempt, result);
        if (!now?.enabled) return this.moved(endpoint);
        const filterChanged = String(now.events) !== String(endpoint.events) || String(now.topicIds) !== String(endpoint.topicIds);
        endpoint = now;
        leaseUntil = Date.now() + this.options.leaseMs;
        // Its events or topics changed: the rest of the batch is read again with them.
        if (filterChanged) break;
      }
    }
  }

  /** The endpoint changed under this process (paused, replayed, deleted): its lease goes back, and it is looked at again. */
  private async moved(endpoint: Endpoint): Promise<void> {
    await this.release(endpoint.id, endpoint.workspaceId);
    this.wake(endpoint.workspaceId);
  }

  /** Posts one body, signed with each of the endpoint's secrets. */
  send(endpoint: Pick<Endpoint, "url" | "secrets">, messageId: string, body: string): Promise<Attempt> {
    const timestamp = Math.floor(Date.now() / 1000);
    return this.sender.post(
      endpoint.url,
      {
        "webhook-id": messageId,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signatureHeader(endpoint.secrets, messageId, timestamp, body),
      },
      body,
    );
  }

  /**
   * Moves the position past an acknowledged item (from where it was when the item was read: a
   * replay meanwhile wins) and logs the attempt. The endpoint as it is now, or undefined when it
   * is no longer ours.
   */
  private async acknowledged(endpoint: Endpoint, item: FeedItem, attempt: number, result: Attempt): Promise<Endpoint | undefined> {
    const was = positionOf(endpoint);
    // One statement: the position and the log's line together.
    const [now] = await this.db.query<Endpoint[]>(
      `WITH moved AS (
         UPDATE webhooks w SET position_tx = $3, position_kind = $4, position_seq = $5, last_delivered_cursor = $6, last_delivered_at = now(),
                attempt = 0, failing_since = NULL, lease_until = now() + $7 * interval '1 millisecond'
          WHERE w.workspace_id = $1 AND w.id = $2 AND w.lease_owner = $8
            AND (w.position_tx, w.position_kind, w.position_seq) = ($9::bigint, $10::smallint, $11::bigint)
          RETURNING ${ENDPOINT_COLUMNS}
       ), logged AS (
         INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, message_id, cursor, attempt, status_code, duration_ms, response)
         SELECT $12, $1, $2, $13, $6, $14, $15, $16, $17 WHERE EXISTS (SELECT 1 FROM webhooks WHERE workspace_id = $1 AND id = $2)
       )
       SELECT * FROM moved`,
      [
        endpoint.workspaceId,
        endpoint.id,
        item.txId,
        item.kind,
        item.seq,
        item.cursor,
        this.options.leaseMs,
        this.owner,
        was.txId,
        was.kind,
        was.seq,
        uuidv7(),
        `msg_${item.id}`,
        attempt,
        result.statusCode,
        result.durationMs,
        result.response?.replaceAll("\u0000", "\uFFFD") ?? null,
      ],
    );
    return now;
  }

  /** Schedules the retry after a failure, or disables the endpoint once the item has failed for giveUpMs. */
  private async failed(endpoint: Endpoint, item: FeedItem, attempt: number, result: Attempt): Promise<void> {
    const failingSince = endpoint.failingSince?.getTime() ?? Date.now();
    const reason = result.error ?? "failed";
    if (Date.now() - failingSince >= this.options.giveUpMs) {
      const days = durationText(this.options.giveUpMs);
      const disabled = returningRows<{ id: string }>(
        await this.db.query(
          `UPDATE webhooks SET enabled = false, disabled_reason = $3, attempt = $4, lease_owner = NULL, lease_until = NULL
          WHERE workspace_id = $1 AND id = $2 AND lease_owner = $5 AND enabled
            AND (position_tx, position_kind, position_seq) = ($6::bigint, $7::smallint, $8::bigint)
          RETURNING id`,
          [
            endpoint.workspaceId,
            endpoint.id,
            `Deliveries failed for ${days} (${attempt} attempts at ${item.cursor}; the last: ${reason}). Replay it to resume.`.slice(
              0,
              1000,
            ),
            attempt,
            this.owner,
            positionOf(endpoint).txId,
            positionOf(endpoint).kind,
            positionOf(endpoint).seq,
          ],
        ),
      );
      await this.logAttempt(endpoint, `msg_${item.id}`, item.cursor, attempt, result, null);
      if (disabled.length > 0) this.events.disabled();
      else await this.moved(endpoint);
      return;
    }
    const delay = backoffMs(attempt, this.options.retryBaseMs, this.options.retryMaxMs);
    const next = new Date(Date.now() + delay);
    const was = positionOf(endpoint);
    const scheduled = returningRows<{ id: string }>(
      await this.db.query(
        `UPDATE webhooks SET attempt = $3, failing_since = coalesce(failing_since, now()), next_attempt_at = $4, lease_owner = NULL, lease_until = NULL
          WHERE workspace_id = $1 AND id = $2 AND lease_owner = $5 AND enabled
            AND (position_tx, position_kind, position_seq) = ($6::bigint, $7::smallint, $8::bigint)
          RETURNING id`,
        [endpoint.workspaceId, endpoint.id, attempt, next, this.owner, was.txId, was.kind, was.seq],
      ),
    );
    await this.logAttempt(endpoint, `msg_${item.id}`, item.cursor, attempt, result, scheduled.length > 0 ? next : null);
    // Replayed or paused meanwhile: no retry of its own; the endpoint goes back as it now is.
    if (scheduled.length === 0) await this.moved(endpoint);
  }

  /** Records one attempt in the delivery log. */
  logAttempt(
    endpoint: Pick<Endpoint, "workspaceId" | "id">,
    messageId: string,
    cursor: string,
    attempt: number,
    result: Attempt,
    nextAttemptAt: Date | null,
  ) {
    return logDelivery(this.db, endpoint, { messageId, cursor, attempt, result, nextAttemptAt }).catch((error: unknown) =>
      this.log.warn({ err: error, webhookId: endpoint.id }, "a webhook delivery could not be logged"),
    );
  }

  /**
   * Nothing the filter selects was found below `horizon` (the read's): the position moves past the
   * items below it, none of them selected, so the endpoint is not taken again for them, and the
   * lease is given back. Only below the read's horizon: an item committed since was not read.
   */
  private async skipAhead(endpoint: Endpoint, position: FeedPosition, horizon: string): Promise<void> {
    await this.db.query(
      `WITH h AS (SELECT $7::bigint AS xmin),
            last AS (
              SELECT * FROM (
                (SELECT e.tx_id, 0 AS kind, e.seq FROM ticket_events e, h
                  WHERE e.workspace_id = $1 AND e.tx_id < h.xmin AND (e.tx_id, e.seq) > ($3::bigint, CASE WHEN $4::int = 0 THEN $5::bigint ELSE 9223372036854775807 END)
                  ORDER BY e.tx_id DESC, e.seq DESC LIMIT 1)
                UNION ALL
                (SELECT s.tx_id, 1 AS kind, s.seq FROM flow_starts s, h
                  WHERE s.workspace_id = $1 AND s.tx_id < h.xmin AND (s.tx_id, s.seq) > ($3::bigint, CASE WHEN $4::int = 1 THEN $5::bigint ELSE -1 END)
                  ORDER BY s.tx_id DESC, s.seq DESC LIMIT 1)
              ) x ORDER BY tx_id DESC, kind DESC, seq DESC LIMIT 1)
       UPDATE webhooks w SET
              position_tx = coalesce((SELECT tx_id FROM last), w.position_tx),
              position_kind = coalesce((SELECT kind FROM last), w.position_kind),
              position_seq = coalesce((SELECT seq FROM last), w.position_seq),
              lease_owner = NULL, lease_until = NULL
        WHERE w.workspace_id = $1 AND w.id = $2 AND w.lease_owner = $6
          AND (w.position_tx, w.position_kind, w.position_seq) = ($3::bigint, $4::smallint, $5::bigint)`,
      [endpoint.workspaceId, endpoint.id, position.txId, position.kind, position.seq, this.owner, horizon],
    );
    // Whatever happened meanwhile (a replay moved the position), the lease goes back.
    await this.release(endpoint.id, endpoint.workspaceId);
  }

  private async renew(endpoint: Endpoint): Promise<boolean> {
    const rows = returningRows<{ id: string }>(
      await this.db.query(
        `UPDATE webhooks SET lease_until = now() + $3 * interval '1 millisecond'
          WHERE workspace_id = $1 AND id = $2 AND lease_owner = $4 AND enabled RETURNING id`,
        [endpoint.workspaceId, endpoint.id, this.options.leaseMs, this.owner],
      ),
    );
    return rows.length > 0;
  }

  private async release(id: string, workspaceId: string): Promise<void> {
    await this.db.query(
      `UPDATE webhooks SET lease_owner = NULL, lease_until = NULL WHERE workspace_id = $3 AND id = $1 AND lease_owner = $2`,
      [id, this.owner, workspaceId],
    );
  }

  /**
   * How far behind the enabled endpoints are: how many have an item waiting (among the next
   * LAG_PROBED after their position), and for the LAG_REPORTED furthest behind (by the age of
   * their oldest waiting item) that age in seconds and the items waiting among the next 10,000.
   * The rows read are bounded whatever the filters skip: LAG_PROBED per endpoint, 10,000 for each
   * one reported.
   */
  async lag(): Promise<{ behind: number; worst: Array<{ id: string; events: number; seconds: number }> }> {
    return runInSqlScope("webhooks:lag", () =>
      unscoped(async () => {
        const rows = await this.db.query<Array<{ id: string | null; events: number | null; oldest: Date | null; behind: number }>>(
          `WITH h AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin),
           next AS (
             SELECT c.*, least(ev.created_at, fs.created_at) AS oldest
               FROM webhooks c CROSS JOIN h
               -- The oldest selected item among the next ${LAG_PROBED} after the position: the rows read
               -- are bounded, whatever the endpoint's filter skips.
               LEFT JOIN LATERAL (
                 SELECT min(x.created_at) FILTER (WHERE x.type = ANY(c.events)
                          AND (cardinality(c.topic_ids) = 0 OR x.topic_id = ANY(c.topic_ids) OR x.previous_topic_id = ANY(c.topic_ids))) AS created_at
                   FROM (SELECT e.created_at, e.type, e.topic_id, e.previous_topic_id FROM ticket_events e
                          WHERE e.workspace_id = c.workspace_id AND e.tx_id < h.xmin
                            AND (e.tx_id, e.seq) > (c.position_tx, CASE WHEN c.position_kind = 0 THEN c.position_seq ELSE 9223372036854775807 END)
                          ORDER BY e.tx_id, e.seq LIMIT ${LAG_PROBED}) x) ev ON true
               LEFT JOIN LATERAL (
                 SELECT s.created_at FROM flow_starts s
                  WHERE 'FLOW_STARTED' = ANY(c.events) AND s.workspace_id = c.workspace_id AND s.tx_id < h.xmin
                    AND (s.tx_id, s.seq) > (c.position_tx, CASE WHEN c.position_kind = 1 THEN c.position_seq ELSE -1 END)
                  ORDER BY s.tx_id, s.seq LIMIT 1) fs ON true
              WHERE c.enabled
           ),
           worst AS (SELECT * FROM next WHERE oldest IS NOT NULL ORDER BY oldest LIMIT ${LAG_REPORTED})
           SELECT w.id, (ev.n + fs.n)::int AS events, w.oldest, (SELECT count(*)::int FROM next WHERE oldest IS NOT NULL) AS behind
             FROM (SELECT 1) one
             LEFT JOIN worst w ON true
             CROSS JOIN h
             -- Selected items among the next 10,000 after the position.
             LEFT JOIN LATERAL (
               SELECT count(*) FILTER (WHERE x.type = ANY(w.events)
                        AND (cardinality(w.topic_ids) = 0 OR x.topic_id = ANY(w.topic_ids) OR x.previous_topic_id = ANY(w.topic_ids))) AS n
                 FROM (SELECT e.type, e.topic_id, e.previous_topic_id FROM ticket_events e
                        WHERE e.workspace_id = w.workspace_id AND e.tx_id < h.xmin
                          AND (e.tx_id, e.seq) > (w.position_tx, CASE WHEN w.position_kind = 0 THEN w.position_seq ELSE 9223372036854775807 END)
                        ORDER BY e.tx_id, e.seq LIMIT 10000) x) ev ON true
             LEFT JOIN LATERAL (
               SELECT count(*) AS n FROM (
                 SELECT 1 FROM flow_starts s
                  WHERE 'FLOW_STARTED' = ANY(w.events) AND s.workspace_id = w.workspace_id AND s.tx_id < h.xmin
                    AND (s.tx_id, s.seq) > (w.position_tx, CASE WHEN w.position_kind = 1 THEN w.position_seq ELSE -1 END)
                  ORDER BY s.tx_id, s.seq LIMIT 10000) y) fs ON true`,
        );
        const now = Date.now();
        return {
          behind: rows[0]?.behind ?? 0,
          worst: rows
            .filter((r): r is { id: string; events: number; oldest: Date; behind: number } => r.id !== null && r.oldest !== null)
            .map((r) => ({
              id: r.id,
              events: Math.min(10000, r.events),
              seconds: Math.max(0, (now - new Date(r.oldest).getTime()) / 1000),
            })),
        };
      }),
    );
  }

  /** Deletes delivery log rows past their retention, a bounded number at a time. */
  async sweep(): Promise<number> {
    return runInSqlScope("webhooks:sweep", () =>
      unscoped(async () => {
        const deleted = returningRows<{ id: string }>(
          await this.db.query(
            `DELETE FROM webhook_deliveries WHERE id IN (
               SELECT id FROM webhook_deliveries WHERE created_at < now() - $1 * interval '1 millisecond' LIMIT 10000)
             RETURNING id`,
            [this.options.retentionMs],
          ),
        );
        return deleted.length;
      }),
    );
  }
}

