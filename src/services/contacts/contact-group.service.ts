import type { AuthedContext } from "../../context";
import { ContactGroup, TicketStatus } from "../../entities";
import { topicFilter } from "../../auth/visibility";
import { columnsOf } from "../../db/columns";
import { CONTACT_COLUMNS, type ContactWithUrns } from "../../db/rows";

const GROUP_COLUMNS = columnsOf(ContactGroup, null);

/**
 * Contact groups. The system group "Open Tickets" has no stored members: its members are the
 * contacts with an open ticket, read from the tickets themselves, so it changes in the very
 * transaction that opens, closes or reopens a ticket. Its count comes from the ticket counts.
 */
export class ContactGroupService {
  async list(ctx: AuthedContext): Promise<ContactGroup[]> {
    return ctx.work.query(
      `SELECT ${GROUP_COLUMNS} FROM contact_groups WHERE workspace_id = $1 ORDER BY is_system DESC, name`,
      [ctx.actor.workspaceId],
    );
  }

  async find(ctx: AuthedContext, id: string): Promise<ContactGroup | undefined> {
    return (await this.list(ctx)).find((g) => g.id === id);
  }

  /** Contacts with an open ticket the actor may see: exact, O(1) from the counts. */
  async openTicketsCount(ctx: AuthedContext): Promise<number> {
    const visible = topicFilter(ctx.actor);
    const groups = await ctx.loaders.counts();
    return groups
      .filter((g) => g.status === TicketStatus.OPEN && (visible === null || visible.includes(g.topicId)))
      .reduce((sum, g) => sum + g.count, 0);
  }

  /** A page of the contacts with an open ticket, by their ticket's latest activity. */
  async openTicketsContacts(
    ctx: AuthedContext,
    opts: { limit: number; after?: { lastActivityUs: string; ticketId: string } },
  ): Promise<Array<ContactWithUrns & { sortKey: string; ticketId: string }>> {
    const visible = topicFilter(ctx.actor);
    return ctx.work.query(
      `SELECT ${CONTACT_COLUMNS}, t.id AS "ticketId", (extract(epoch FROM t.last_activity_at) * 1000000)::bigint::text AS "sortKey"
         FROM tickets t JOIN contacts c ON c.id = t.contact_id AND c.workspace_id = t.workspace_id
        WHERE t.workspace_id = $1 AND t.status = 'OPEN'
          AND ($2::uuid[] IS NULL OR t.topic_id = ANY($2))
          AND ($3::bigint IS NULL OR (t.last_activity_at, t.id) < ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4::uuid))
        ORDER BY t.last_activity_at DESC, t.id DESC
        LIMIT $5`,
      [ctx.actor.workspaceId, visible, opts.after?.lastActivityUs ?? null, opts.after?.ticketId ?? null, opts.limit],
    );
  }
}
