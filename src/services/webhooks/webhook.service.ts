import type { AuthedContext } from "../../context";
import { returningRows } from "../../db/returning";
import { uuidv7 } from "../../db/uuid";
import { columnsOf } from "../../db/columns";
import { WebhookDelivery, type WebhookEventType } from "../../entities";
import { BadInputError } from "../../errors";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";
import { AddressRefused, checkWebhookUrl } from "./address-guard";
import { logDelivery, SIGNING_SECRETS, WEBHOOK_COLUMNS, type WebhookDispatcher, type WebhookRow } from "./dispatcher";
import { newSecret } from "./signature";
import { cursorOf, horizonPosition, parseFeedCursor } from "./webhook-feed";

export type DeliveryRow = Omit<WebhookDelivery, "workspace" | "webhook">;
const DELIVERY_COLUMNS = columnsOf(WebhookDelivery, "d");

export interface WebhookSettings {
  allowPrivate: boolean;
  /** The API's id of an endpoint, as a ping names it. */
  globalId: (type: string, uuid: string) => string;
  /** How long a rotated-out secret keeps signing alongside the new one (24 hours). */
  rotationOverlapMs: number;
}

export interface NewWebhook {
  url: string;
  events: WebhookEventType[];
  topicIds: string[];
}

export interface WebhookChange {
  url?: string;
  events?: WebhookEventType[];
  topicIds?: string[];
  enabled?: boolean;
}

/** An endpoint with the secret shown once: at creation and rotation. */
export interface WithSecret {
  webhook: WebhookRow;
  secret: string;
}

/** Secrets rotated out that keep signing through their overlap: more rotations within it drop the oldest. */
export const MAX_PREVIOUS_SECRETS = 5;

/** The endpoints a workspace may register. */
export const MAX_WEBHOOKS = 20;

const notFound = <T>(): Result<T> => fail<T>(UserErrorCode.NOT_FOUND, "No such webhook.", ["id"]);

/**
 * Webhooks as administrators manage them: endpoints, their secrets, replay, a test ping and the
 * delivery log. Delivery itself runs in the background (WebhookDispatcher).
 */
export class WebhookService {
  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly settings: WebhookSettings,
  ) {}

  /** The workspace's endpoints, oldest first (at most MAX_WEBHOOKS). */
  list(ctx: AuthedContext): Promise<WebhookRow[]> {
    return ctx.work.query<WebhookRow[]>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks w WHERE w.workspace_id = $1 ORDER BY w.created_at, w.id`, [
      ctx.actor.workspaceId,
    ]);
  }

  async find(ctx: AuthedContext, id: string): Promise<WebhookRow | undefined> {
    const [row] = await ctx.work.query<WebhookRow[]>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks w WHERE w.workspace_id = $1 AND w.id = $2`, [
      ctx.actor.workspaceId,
      id,
    ]);
    return row;
  }

  /**
   * Registers an endpoint, sent what is committed from now on. Its URL is checked first (a name is
   * resolved: outside the transaction); at most MAX_WEBHOOKS per workspace (LIMIT_REACHED),
   * counted under a lock on the workspace so that calls at once count right.
   */
  async create(ctx: AuthedContext, input: NewWebhook): Promise<Result<WithSecret>> {
    const url = await this.checkedUrl(input.url);
    const { workspaceId } = ctx.actor;
    return refusable(ctx.work, async (em) => {
      await em.query(`SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, [workspaceId]);
      const [{ n }] = await em.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM webhooks WHERE workspace_id = $1`, [
        workspaceId,
      ]);
      if (n >= MAX_WEBHOOKS) {
        return fail<WithSecret>(UserErrorCode.LIMIT_REACHED, `This workspace has ${n} webhooks, the most it may have. Delete one first.`);
      }
      const missing = await this.unknownTopics<WithSecret>(ctx, input.topicIds);
      if (missing) return missing;
      const secret = newSecret();
      const start = await horizonPosition(em);
      const [row] = await em.query<WebhookRow[]>(
        `INSERT INTO webhooks AS w (id, workspace_id, url, events, topic_ids, secret, position_tx, position_kind, position_seq)
         VALUES ($2, $1, $3, $4, $5, $6, $7, $8, $9) RETURNING ${WEBHOOK_COLUMNS}`,
        [workspaceId, uuidv7(), url, distinct(input.events), distinct(input.topicIds), secret, start.txId, start.kind, start.seq],
      );
      this.wakeAfterCommit(ctx);
      return ok({ webhook: row, secret });
    });
  }

  /**
   * Changes an endpoint. enabled: false pauses it where it is; enabled: true resumes it from there
   * (after a disabling too, its failures forgotten), as replayWebhook without a cursor does.
   */
  async update(ctx: AuthedContext, id: string, change: WebhookChange): Promise<Result<WebhookRow>> {
    const url = change.url === undefined ? undefined : await this.checkedUrl(change.url);
    return refusable(ctx.work, async (em) => {
      if (change.topicIds) {
        const missing = await this.unknownTopics<WebhookRow>(ctx, change.topicIds);
        if (missing) return missing;
      }
      const rows = returningRows<WebhookRow>(
        await em.query(
          `UPDATE webhooks w SET
                  url = coalesce($3, w.url),
                  events = coalesce($4, w.events),
                  topic_ids = coalesce($5, w.topic_ids),
                  enabled = coalesce($6, w.enabled),
                  disabled_reason = CASE WHEN $6::boolean IS NULL THEN w.disabled_reason END,
                  attempt = CASE WHEN $6 AND NOT w.enabled THEN 0 ELSE w.attempt END,
                  failing_since = CASE WHEN $6 AND NOT w.enabled THEN NULL ELSE w.failing_since END,
                  next_attempt_at = CASE WHEN $6 AND NOT w.enabled THEN now() ELSE w.next_attempt_at END
            WHERE w.workspace_id = $1 AND w.id = $2
            RETURNING ${WEBHOOK_COLUMNS}`,
          [
            ctx.actor.workspaceId,
            id,
            url ?? null,
            change.events ? distinct(change.events) : null,
            change.topicIds ? distinct(change.topicIds) : null,
            change.enabled ?? null,
          ],
        ),
      );
      if (!rows[0]) return notFound<WebhookRow>();
      this.wakeAfterCommit(ctx);
      return ok(rows[0]);
    });
  }

  async delete(ctx: AuthedContext, id: string): Promise<Result<string>> {
    const [row] = returningRows<{ id: string }>(
      await ctx.work.query(`DELETE FROM webhooks WHERE workspace_id = $1 AND id = $2 RETURNING id`, [ctx.actor.workspaceId, id]),
    );
    return row ? ok(row.id) : notFound();
  }

  /**
   * A new secret; the old one keeps signing alongside it for rotationOverlapMs, so receivers can
   * switch, and so do those rotated out before it whose overlap runs on (the newest
   * MAX_PREVIOUS_SECRETS of them).
   */
  async rotateSecret(ctx: AuthedContext, id: string): Promise<Result<WithSecret>> {
    const secret = newSecret();
    const [row] = returningRows<WebhookRow>(
      await ctx.work.query(
        `UPDATE webhooks w SET secret = $3, previous_secrets = (
                  SELECT coalesce(jsonb_agg(p ORDER BY (p ->> 'until')::timestamptz DESC), '[]') FROM (
                    SELECT p FROM (
                      SELECT p FROM jsonb_array_elements(w.previous_secrets) p WHERE (p ->> 'until')::timestamptz > now()
                      UNION ALL SELECT jsonb_build_object('secret', w.secret, 'until', now() + $4 * interval '1 millisecond')
                    ) kept ORDER BY (p ->> 'until')::timestamptz DESC LIMIT ${MAX_PREVIOUS_SECRETS}) newest)
          WHERE w.workspace_id = $1 AND w.id = $2 RETURNING ${WEBHOOK_COLUMNS}`,
        [ctx.actor.workspaceId, id, secret, this.settings.rotationOverlapMs],
      ),
    );
    return row ? ok({ webhook: row, secret }) : notFound();
  }

  /**
   * Enables the endpoint and resends everything after `after` (a cursor it was sent, a
   * ticketEvents or eventCursor cursor), or, without one, from where it stopped.
   */
  async replay(ctx: AuthedContext, id: string, after: string | undefined): Promise<Result<WebhookRow>> {
    const position = after === undefined ? undefined : parseFeedCursor(after);
    if (after !== undefined && !position) {
      throw new BadInputError("after", 'after must be a cursor an endpoint was sent ("txId.seq", or "txId.seq.flow" for a flow start).');
    }
    if (position) {
      // A position at or past a transaction still running (or not yet begun) would skip the events
      // it commits later: only positions below the horizon, or a list's eventCursor ("xmin.0"), are
      // positions every later event comes after.
      const [{ xmin }] = await ctx.work.query<Array<{ xmin: string }>>(`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`);
      const tx = BigInt(position.txId);
      const atHorizon = tx === BigInt(xmin) && position.kind === 0 && position.seq === "0";
      if (tx >= BigInt(xmin) && !atHorizon) {
        throw new BadInputError("after", "after is past the newest event delivered: replay from a cursor an endpoint was sent.");
      }
    }
    const [row] = returningRows<WebhookRow>(
      await ctx.work.query(
        `UPDATE webhooks w SET enabled = true, disabled_reason = NULL, attempt = 0, failing_since = NULL, next_attempt_at = now(),
                position_tx = coalesce($3, w.position_tx), position_kind = coalesce($4, w.position_kind), position_seq = coalesce($5, w.position_seq)
          WHERE w.workspace_id = $1 AND w.id = $2 RETURNING ${WEBHOOK_COLUMNS}`,
        [ctx.actor.workspaceId, id, position?.txId ?? null, position?.kind ?? null, position?.seq ?? null],
      ),
    );
    if (!row) return notFound();
    this.wakeAfterCommit(ctx);
    return ok(row);
  }

  /**
   * Sends a ping now (type PING, outside the ordered feed: its position does not move) and logs it
   * with the endpoint's deliveries. The endpoint is read before the request's transaction begins,
   * so that no transaction waits on the receiver.
   */
  async test(ctx: AuthedContext, id: string): Promise<Result<WebhookRow>> {
    const { workspaceId } = ctx.actor;
    const [endpoint] = await ctx.work.beforeTransaction((em) =>
      em.query<Array<WebhookRow & { secrets: string[] }>>(
        `SELECT ${WEBHOOK_COLUMNS}, ${SIGNING_SECRETS} AS secrets
           FROM webhooks w WHERE w.workspace_id = $1 AND w.id = $2`,
        [workspaceId, id],
      ),
    );
    if (!endpoint) return notFound();
    const cursor = cursorOf({
      txId: String(endpoint.positionTx),
      kind: endpoint.positionKind === 1 ? 1 : 0,
      seq: String(endpoint.positionSeq),
    });
    const messageId = `msg_ping_${uuidv7()}`;
    const body = JSON.stringify({
      type: "PING",
      timestamp: new Date().toISOString(),
      cursor,
      data: { webhookId: this.settings.globalId("Webhook", id) },
    });
    const result = await this.dispatcher.send(endpoint, messageId, body);
    await logDelivery(ctx.work, endpoint, { messageId, cursor, attempt: 1, result, nextAttemptAt: null });
    const now = await this.find(ctx, id);
    return now ? ok(now) : notFound();
  }

  /** An endpoint's delivery log, newest first, after a delivery's id when paging. */
  deliveries(ctx: AuthedContext, webhookId: string, first: number, afterId: string | undefined): Promise<DeliveryRow[]> {
    return ctx.work.query<DeliveryRow[]>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d
        WHERE d.workspace_id = $1 AND d.webhook_id = $2 AND ($3::uuid IS NULL OR d.id < $3)
        ORDER BY d.id DESC LIMIT $4`,
      [ctx.actor.workspaceId, webhookId, afterId ?? null, first],
    );
  }

  async delivery(ctx: AuthedContext, id: string): Promise<DeliveryRow | undefined> {
    const [row] = await ctx.work.query<DeliveryRow[]>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.workspace_id = $1 AND d.id = $2`,
      [ctx.actor.workspaceId, id],
    );
    return row;
  }

  private async checkedUrl(raw: string): Promise<string> {
    try {
      return (await checkWebhookUrl(raw, this.settings.allowPrivate)).href;
    } catch (error) {
      if (error instanceof AddressRefused) throw new BadInputError("url", error.message);
      throw error;
    }
  }

  /** A NOT_FOUND refusal naming the first topic id that is not a topic of the workspace. */
  private async unknownTopics<T>(ctx: AuthedContext, topicIds: string[]): Promise<Result<T> | undefined> {
    if (topicIds.length === 0) return undefined;
    const found = await ctx.work.query<Array<{ id: string }>>(
      `SELECT id FROM topics WHERE workspace_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL`,
      [ctx.actor.workspaceId, topicIds],
    );
    const known = new Set(found.map((t) => t.id));
    const index = topicIds.findIndex((t) => !known.has(t));
    return index < 0 ? undefined : fail<T>(UserErrorCode.NOT_FOUND, "No such topic.", ["topicIds", String(index)]);
  }

  private wakeAfterCommit(ctx: AuthedContext): void {
    const { workspaceId } = ctx.actor;
    ctx.work.afterCommit(() => this.dispatcher.wake(workspaceId));
  }
}

const distinct = <T>(values: T[]): T[] => [...new Set(values)];
