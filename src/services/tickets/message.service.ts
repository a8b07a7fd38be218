import type { EntityManager } from "typeorm";
import type { AuthedContext } from "../../context";
import { returningRows } from "../../db/returning";
import { uniqueViolation } from "../../db/transaction";
import { uuidv7 } from "../../db/uuid";
import { type Attachment, type Message, MessageDirection, MessageStatus, TicketEventType, TicketStatus } from "../../entities";
import type { ContactService } from "../contacts/contact.service";
import { applyTicketChanges, lockTickets } from "./ticket-store";
import { parseUrn } from "../contacts/urn";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";
import { canSeeTicket, topicFilter } from "../../auth/visibility";
import { MESSAGE_COLUMNS } from "../../db/rows";

/** Where a ticket's message stands in its ticket's history, for a viewer confined to some topics. */
export interface MessageHistory {
  /** The version of the event that recorded the message. */
  messageVersion: number | null;
  /** The ticket's last version in the viewer's topics; null when it never was (or they see every topic). */
  lastVersionInTopics: number | null;
}

/** How far along delivery a status is: a report never moves a message backwards. */
const PROGRESS: Record<MessageStatus, number> = {
  [MessageStatus.RECEIVED]: 0,
  [MessageStatus.QUEUED]: 0,
  [MessageStatus.SENT]: 1,
  [MessageStatus.DELIVERED]: 2,
  [MessageStatus.FAILED]: 2,
};

/** Attachments as stored: the content type in lower case, both values trimmed (the schema checked their shape). */
function normalized(attachments: readonly Attachment[]): Attachment[] {
  return attachments.map((a) => ({ contentType: a.contentType.trim().toLowerCase(), url: a.url.trim() }));
}

/** Messages between contacts and the team: member replies out, channel messages in. */
export class MessageService {
  constructor(private readonly contacts: ContactService) {}

  private async byId(ctx: AuthedContext, id: string): Promise<Message | undefined> {
    const [message] = await ctx.work.query<Message[]>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.workspace_id = $1 AND m.id = $2`, [
      ctx.actor.workspaceId,
      id,
    ]);
    return message;
  }

  /**
   * A member's reply on an open ticket: queued on the URN of the contact's last incoming message
   * (else its first URN) for a channel connector to deliver. Sets repliedAt once.
   */
  async send(ctx: AuthedContext, ticketId: string, text: string, attachments: readonly Attachment[] = []): Promise<Result<Message>> {
    const workspaceId = ctx.actor.workspaceId;
    return refusable(ctx.work, async (em) => {
      const ticket = (await lockTickets(em, workspaceId, [ticketId])).get(ticketId);
      if (!ticket || !canSeeTicket(ctx.actor, ticket)) return fail<Message>(UserErrorCode.NOT_FOUND, "No such ticket.", ["ticketId"]);
      if (ticket.status === TicketStatus.CLOSED) {
        return fail<Message>(UserErrorCode.TICKET_CLOSED, "The ticket is closed: reopen it to reply.", ["ticketId"]);
      }
      if (!ctx.actor.canReplyToOthers && ticket.assigneeId !== null && ticket.assigneeId !== ctx.actor.userId) {
        return fail<Message>(UserErrorCode.CANNOT_REPLY, "The ticket is assigned to someone else: you may not reply in it.", ["ticketId"]);
      }
      const [target] = await em.query<Array<{ urn: string }>>(
        `SELECT coalesce(
           (SELECT m.urn FROM messages m WHERE m.workspace_id = $1 AND m.contact_id = $2 AND m.direction = 'INCOMING'
             ORDER BY m.created_at DESC, m.id DESC LIMIT 1),
           (SELECT u.urn FROM contact_urns u WHERE u.workspace_id = $1 AND u.contact_id = $2 ORDER BY u.priority, u.urn LIMIT 1)) AS urn`,
        [workspaceId, ticket.contactId],
      );
      if (!target?.urn) return fail<Message>(UserErrorCode.INVALID_URN, "The contact has no URN to reply on.", ["ticketId"]);
      const message = await this.insert(em, workspaceId, {
        contactId: ticket.contactId,
        ticketId,
        direction: MessageDirection.OUTGOING,
        urn: target.urn,
        text,
        attachments: normalized(attachments),
        status: MessageStatus.QUEUED,
        externalId: null,
        authorId: ctx.actor.userId,
      });
      await applyTicketChanges(em, workspaceId, [
        {
          ticket,
          touch: true,
          repliedAt: "set-once",
          lastMessageId: message.id,
          event: { type: TicketEventType.MESSAGE_SENT, actorId: ctx.actor.userId, messageId: message.id },
        },
      ]);
      return ok(message);
    });
  }

  /**
   * A message from a channel. An unknown URN creates the contact; the message joins the
   * contact's open ticket, if any (it never reopens one). A repeated externalId returns the
   * first message and changes nothing.
   */
  async receive(
    ctx: AuthedContext,
    input: {
      urn: string;
      text: string;
      attachments?: readonly Attachment[] | null;
      contactName?: string | null;
      externalId?: string | null;
    },
  ): Promise<Result<Message>> {
    const workspaceId = ctx.actor.workspaceId;
    const urn = parseUrn(input.urn);
    if ("error" in urn) return fail(UserErrorCode.INVALID_URN, `${urn.error}.`, ["urn"]);
    if (input.externalId) {
      const first = await this.byExternalId(ctx, input.externalId);
      if (first) return ok(first);
    }
    try {
      return await refusable(ctx.work, async (em) => {
        const { contactId, created } = await this.contacts.findOrCreateByUrn(em, workspaceId, urn.urn, input.contactName ?? null);
        if (!created && input.contactName?.trim()) {
          await em.query(`UPDATE contacts SET name = $3 WHERE workspace_id = $1 AND id = $2 AND name IS NULL`, [
            workspaceId,
            contactId,
            input.contactName.trim(),
          ]);
        }
        const [open] = await em.query<Array<{ id: string }>>(
          `SELECT id FROM tickets WHERE workspace_id = $1 AND contact_id = $2 AND status = 'OPEN'`,
          [workspaceId, contactId],
        );
        const ticket = open ? (await lockTickets(em, workspaceId, [open.id])).get(open.id) : undefined;
        const linked = ticket && ticket.status === TicketStatus.OPEN ? ticket : undefined;
        const message = await this.insert(em, workspaceId, {
          contactId,
          ticketId: linked?.id ?? null,
          direction: MessageDirection.INCOMING,
          urn: urn.urn,
          text: input.text,
          attachments: normalized(input.attachments ?? []),
          status: MessageStatus.RECEIVED,
          externalId: input.externalId ?? null,
          authorId: null,
        });
        if (linked) {
          await applyTicketChanges(em, workspaceId, [
            {
              ticket: linked,
              touch: true,
              lastMessageId: message.id,
              event: { type: TicketEventType.MESSAGE_RECEIVED, actorId: null, messageId: message.id },
            },
          ]);
        }
        return ok(message);
      });
    } catch (error) {
      if (uniqueViolation(error) === "messages_external_id_key" && input.externalId) {
        const first = await this.byExternalId(ctx, input.externalId);
        if (first) return ok(first);
      }
      throw error;
    }
  }

  /** A channel's delivery report for an outgoing message; it never moves a status backwards. */
  async updateStatus(ctx: AuthedContext, id: string, status: MessageStatus): Promise<Result<Message>> {
    const workspaceId = ctx.actor.workspaceId;
    const message = await this.byId(ctx, id);
    if (!message) return fail(UserErrorCode.NOT_FOUND, "No such message.", ["id"]);
    if (message.direction !== MessageDirection.OUTGOING) {
      return fail(UserErrorCode.INVALID_VALUE, "Only outgoing messages have a delivery status.", ["id"]);
    }
    if (status === MessageStatus.RECEIVED || status === MessageStatus.QUEUED) {
      return fail(UserErrorCode.INVALID_VALUE, "A channel reports SENT, DELIVERED or FAILED.", ["status"]);
    }
    const [updated] = returningRows<Message>(
      await ctx.work.query(
        `UPDATE messages m SET status = $3
        WHERE m.workspace_id = $1 AND m.id = $2
          AND (CASE m.status WHEN 'QUEUED' THEN 0 WHEN 'SENT' THEN 1 ELSE 2 END) < $4
      RETURNING ${MESSAGE_COLUMNS}`,
        [workspaceId, id, status, PROGRESS[status]],
      ),
    );
    return ok(updated ?? message);
  }

  /**
   * A page of a contact's messages, oldest first, by (createdAt, id). A team agent does not get
   * the messages of tickets outside their topics.
   */
  async contactPage(
    ctx: AuthedContext,
    contactId: string,
    opts: { limit: number; after?: { at: string; id: string }; before?: { at: string; id: string }; fromEnd: boolean },
  ): Promise<Array<Message & { sortKey: string } & MessageHistory>> {
    // A ticket's message is in the history of a ticket the viewer sees when the ticket was in
    // their topics at the message or at a later version (see.messageInHistory).
    const rows = await ctx.work.query<Array<Message & { sortKey: string } & MessageHistory>>(
      `SELECT ${MESSAGE_COLUMNS}, (extract(epoch FROM m.created_at) * 1000000)::bigint::text AS "sortKey",
              h."messageVersion", h."lastVersionInTopics"
         FROM messages m
         LEFT JOIN LATERAL (
           SELECT (SELECT me.ticket_version FROM ticket_events me
                    WHERE me.workspace_id = $1 AND me.ticket_id = m.ticket_id AND me.message_id = m.id) AS "messageVersion",
                  (SELECT max(te.ticket_version) FROM ticket_events te
                    WHERE te.workspace_id = $1 AND te.ticket_id = m.ticket_id AND te.topic_id = ANY($8)) AS "lastVersionInTopics"
            WHERE $8::uuid[] IS NOT NULL AND m.ticket_id IS NOT NULL
         ) h ON true
        WHERE m.workspace_id = $1 AND m.contact_id = $2
          AND ($3::bigint IS NULL OR (m.created_at, m.id) > ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4::uuid))
          AND ($5::bigint IS NULL OR (m.created_at, m.id) < ('epoch'::timestamptz + $5::bigint * interval '1 microsecond', $6::uuid))
          AND ($8::uuid[] IS NULL OR m.ticket_id IS NULL OR h."lastVersionInTopics" >= h."messageVersion")
        ORDER BY m.created_at ${opts.fromEnd ? "DESC" : "ASC"}, m.id ${opts.fromEnd ? "DESC" : "ASC"}
        LIMIT $7`,
      [
        ctx.actor.workspaceId,
        contactId,
        opts.after?.at ?? null,
        opts.after?.id ?? null,
        opts.before?.at ?? null,
        opts.before?.id ?? null,
        opts.limit,
        topicFilter(ctx.actor),
      ],
    );
    return opts.fromEnd ? rows.reverse() : rows;
  }

  private async byExternalId(ctx: AuthedContext, externalId: string): Promise<Message | undefined> {
    const [message] = await ctx.work.query<Message[]>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.workspace_id = $1 AND m.external_id = $2`,
      [ctx.actor.workspaceId, externalId],
    );
    return message;
  }

  private async insert(em: EntityManager, workspaceId: string, m: Omit<Message, "id" | "workspaceId" | "createdAt">): Promise<Message> {
    const [message] = await em.query<Message[]>(
      `INSERT INTO messages AS m (id, workspace_id, contact_id, ticket_id, direction, urn, text, attachments, status, external_id, author_id,
                                  created_at)
       VALUES ($2, $1, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, clock_timestamp())
       RETURNING ${MESSAGE_COLUMNS}`,
      [
        workspaceId,
        uuidv7(),
        m.contactId,
        m.ticketId,
        m.direction,
        m.urn,
        m.text,
        JSON.stringify(m.attachments),
        m.status,
        m.externalId,
        m.authorId,
      ],
    );
    return message;
  }
}
