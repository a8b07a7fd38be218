import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { TicketEventType } from "./ticket-event.entity";
import { Workspace } from "./workspace.entity";

/**
 * What an endpoint may be sent: every ticket event type (so a new one is a webhook event type
 * too), and the flow starts a close causes.
 */
export const WebhookEventType = { ...TicketEventType, FLOW_STARTED: "FLOW_STARTED" } as const;
export type WebhookEventType = (typeof WebhookEventType)[keyof typeof WebhookEventType];

/**
 * An endpoint that receives its workspace's events by HTTP POST, one at a time in commit order
 * (services/webhooks). Its position is how far it has got in the workspace's feed: every item up
 * to it was acknowledged with a 2xx, or is not one its filter selects. (positionTx, positionKind,
 * positionSeq): kind 0 for a ticket event, 1 for a flow start, which sorts after the events of its
 * transaction. The lease says which server process delivers to it, until when.
 */
@Entity({ name: "webhooks" })
@Index("webhooks_workspace_idx", { synchronize: false })
@Index("webhooks_due_idx", { synchronize: false })
export class Webhook {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "webhooks_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("text")
  url: string;

  /** The WebhookEventTypes it is sent, at least one. */
  @Column("text", { array: true })
  events: WebhookEventType[];

  /** Only events whose topic or previous topic is one of these (flow starts: their ticket's); empty: every topic. */
  @Column("uuid", { array: true, default: () => "'{}'" })
  topicIds: string[];

  @Column("boolean", { default: true })
  enabled: boolean;

  /** Why it was disabled, when deliveries kept failing (null when an administrator disabled it). */
  @Column("text", { nullable: true })
  disabledReason: string | null;

  /** The signing secret, `whsec_` and base64 of its bytes. Never shown but at creation and rotation. */
  @Column("text", { select: false })
  secret: string;

  /**
   * The secrets rotated out, each signing alongside the current one until its own `until` (newest
   * first, at most MAX_PREVIOUS_SECRETS). Never shown.
   */
  @Column("jsonb", { default: () => "'[]'", select: false })
  previousSecrets: Array<{ secret: string; until: string }>;

  @Column("bigint")
  positionTx: string;

  @Column("smallint", { default: 0 })
  positionKind: number;

  @Column("bigint", { default: 0 })
  positionSeq: string;

  /** The cursor of the last item acknowledged; null before the first. */
  @Column("text", { nullable: true })
  lastDeliveredCursor: string | null;

  /** When an item was last acknowledged; null before the first. */
  @Column("timestamptz", { nullable: true })
  lastDeliveredAt: Date | null;

  /** Failed attempts at the item after the position; 0 when the last attempt succeeded. */
  @Column("integer", { default: 0 })
  attempt: number;

  /** When the first failed attempt at that item was made: it is given up 3 days later. */
  @Column("timestamptz", { nullable: true })
  failingSince: Date | null;

  /** Not before then: the backoff after a failure. */
  @Column("timestamptz", { default: () => "now()" })
  nextAttemptAt: Date;

  /** The process delivering to it, until leaseUntil; another may take it over after. */
  @Column("text", { nullable: true })
  leaseOwner: string | null;

  @Column("timestamptz", { nullable: true })
  leaseUntil: Date | null;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}

/** One attempt to deliver one item (or a ping) to an endpoint: the delivery log, kept 7 days. */
@Entity({ name: "webhook_deliveries" })
@Index("webhook_deliveries_webhook_idx", { synchronize: false })
@Index("webhook_deliveries_created_idx", ["createdAt"])
@Check("webhook_deliveries_attempt_check", "attempt >= 1")
export class WebhookDelivery {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "webhook_deliveries_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("uuid")
  webhookId: string;

  @ManyToOne(() => Webhook, { onDelete: "CASCADE" })
  @JoinColumn({ name: "webhook_id", foreignKeyConstraintName: "webhook_deliveries_webhook_id_fkey" })
  webhook?: Webhook;

  /** The webhook-id header: the same for every attempt at one item, so a receiver can deduplicate. */
  @Column("text")
  messageId: string;

  /** The item's cursor (a ping: the endpoint's position when it was sent). */
  @Column("text")
  cursor: string;

  @Column("integer")
  attempt: number;

  @Column("integer", { nullable: true })
  statusCode: number | null;

  @Column("integer", { nullable: true })
  durationMs: number | null;

  /** The start of the response's body, as text. */
  @Column("text", { nullable: true })
  response: string | null;

  /** Why it failed, when there was no 2xx: a refused address, a timeout, a status. */
  @Column("text", { nullable: true })
  error: string | null;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;

  /** After a failure: when the item is tried again (null once given up, and for pings). */
  @Column("timestamptz", { nullable: true })
  nextAttemptAt: Date | null;
}
