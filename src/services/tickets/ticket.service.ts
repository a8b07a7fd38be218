import type { EntityManager } from "typeorm";
import type { Actor, AuthedContext } from "../../context";
import { uniqueViolation } from "../../db/transaction";
import { uuidv7 } from "../../db/uuid";
import { Role, TicketEventType, TicketStatus } from "../../entities";
import type { ContactService } from "../contacts/contact.service";
import { appendEvents } from "./event-log";
import { recordFlowStarts } from "../integrations/flow-starts";
import { type NoteContext, renderNote } from "./note-template";
import { recordCountChanges } from "./ticket-counts";
import { applyTicketChanges, lockTickets, type TicketChange } from "./ticket-store";
import { parseUrn } from "../contacts/urn";
import { answerEarly, fail, ok, type Result, refusable, refuse, UserErrorCode } from "../user-error";
import { canSeeTicket, canSeeTopic, fieldsVisibleTo } from "../../auth/visibility";
import { memberTopicScope } from "../team/visibility";
import { TICKET_COLUMNS, type TicketRow } from "../../db/rows";

export interface OpenTicketCommand {
  contactId?: string;
  contactUrn?: string;
  topicId?: string;
  assigneeId?: string;
  assigneeEmail?: string;
  note?: string;
  results?: unknown;
  flowId?: string;
  flowExternalId?: string;
  idempotencyKey?: string;
}

/** A ticket just opened (or, for a retry with its idempotencyKey, opened by the first call), and what was done otherwise than asked. */
export interface OpenedTicket {
  ticket: TicketRow;
  warnings: string[];
}

/** openTicket's answer; an ALREADY_OPEN refusal points at the contact's open ticket when the caller may see it. */
export type OpenTicketResult = Result<OpenedTicket, TicketRow>;

export interface TicketFailure {
  ticketId: string;
  code: UserErrorCode;
  message: string;
  conflictingTicketId?: string;
}

/** What a bulk call did: the tickets it changed and, for each other ticket asked for, why not. */
export interface BulkDone {
  tickets: TicketRow[];
  failures: TicketFailure[];
}

type Decision = TicketChange | Omit<TicketFailure, "ticketId">;

const refused = (code: UserErrorCode, message: string, conflictingTicketId?: string): Omit<TicketFailure, "ticketId"> => ({
  code,
  message,
  conflictingTicketId,
});

/**
 * Whether the actor may give the ticket this assignee: always, unless they are an agent without
 * canAssign, who may still take an unassigned ticket and release their own.
 */
function mayAssign(actor: Actor, ticket: TicketRow, assigneeId: string | null): boolean {
  if (actor.canAssign) return true;
  return assigneeId === actor.userId ? ticket.assigneeId === null : assigneeId === null && ticket.assigneeId === actor.userId;
}

/** ALREADY_OPEN, pointing at the contact's open ticket when the caller may see it. */
function alreadyOpen(ctx: AuthedContext, cmd: OpenTicketCommand, open: TicketRow | undefined): OpenTicketResult {
  const visible = open && canSeeTicket(ctx.actor, open) ? open : undefined;
  return fail(UserErrorCode.ALREADY_OPEN, "The contact already has an open ticket.", [cmd.contactId ? "contactId" : "contactUrn"], visible);
}

/** The ticket lifecycle: open, assign, change topic, note, close, reopen. */
export class TicketService {
  constructor(private readonly contacts: ContactService) {}

  async find(ctx: AuthedContext, id: string): Promise<TicketRow | undefined> {
    const [row] = await ctx.work.query<TicketRow[]>(`SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.workspace_id = $1 AND t.id = $2`, [
      ctx.actor.workspaceId,
      id,
    ]);
    return row && canSeeTicket(ctx.actor, row) ? row : undefined;
  }

  /**
   * Opens a ticket for a contact (found or created by URN). Opened by a flow when flowId or
   * flowExternalId is given: openedBy and the OPENED event's actor are then null. A retry with
   * the same idempotencyKey returns the first result and creates nothing.
   */
  async open(ctx: AuthedContext, cmd: OpenTicketCommand): Promise<OpenTicketResult> {
    if (cmd.idempotencyKey) {
      const repeat = await this.repeatOf(ctx, cmd);
      if (repeat) return repeat;
    }
    try {
      return await refusable(ctx.work, (em) => this.openIn(em, ctx, cmd));
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint === "tickets_idempotency_key" && cmd.idempotencyKey) {
        const repeat = await this.repeatOf(ctx, cmd);
        if (repeat) return repeat;
      }
      if (constraint === "tickets_one_open_key") return this.alreadyOpen(ctx, cmd);
      throw error;
    }
  }

  private async openIn(em: EntityManager, ctx: AuthedContext, cmd: OpenTicketCommand): Promise<OpenTicketResult> {
    const workspaceId = ctx.actor.workspaceId;
    const warnings: string[] = [];

    let flowId: string | null = null;
    if (cmd.flowId || cmd.flowExternalId) {
      const [flow] = await em.query<Array<{ id: string }>>(
        `SELECT id FROM flows WHERE workspace_id = $1 AND (id = $2 OR external_id = $3)`,
        [workspaceId, cmd.flowId ?? null, cmd.flowExternalId ?? null],
      );
      if (!flow) {
        refuse(UserErrorCode.NOT_FOUND, "No such flow: register it with registerFlow first.", [cmd.flowId ? "flowId" : "flowExternalId"]);
      }
      flowId = flow.id;
    }

    let assigneeId: string | null = null;
    if (cmd.assigneeId) {
      const scope = await memberTopicScope(em, workspaceId, cmd.assigneeId);
      if (!scope.member) refuse(UserErrorCode.NOT_A_MEMBER, "The assignee is not a member of this workspace.", ["assigneeId"]);
      assigneeId = cmd.assigneeId;
    } else if (cmd.assigneeEmail) {
      const [member] = await em.query<Array<{ user_id: string }>>(
        `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 AND u.email = $2`,
        [workspaceId, cmd.assigneeEmail.trim().toLowerCase()],
      );
      if (member) assigneeId = member.user_id;
      else warnings.push(`no member has the email ${cmd.assigneeEmail.trim()}; the ticket was opened unassigned`);
    }

    const [topic] = cmd.topicId
      ? await em.query<Array<{ id: string }>>(
          `SELECT id FROM topics WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL FOR KEY SHARE`,
          [workspaceId, cmd.topicId],
        )
      : await em.query<Array<{ id: string }>>(`SELECT id FROM topics WHERE workspace_id = $1 AND is_system FOR KEY SHARE`, [workspaceId]);
    if (!topic) refuse(UserErrorCode.NOT_FOUND, "No such topic.", ["topicId"]);
    if (assigneeId && !canSeeTopic(await memberTopicScope(em, workspaceId, assigneeId), topic.id)) {
      warnings.push("the assignee's team cannot see this topic; the ticket was opened unassigned");
      assigneeId = null;
    }

    let contactId: string;
    if (cmd.contactId) {
      contactId = cmd.contactId;
    } else {
      const urn = parseUrn(cmd.contactUrn ?? "");
      if ("error" in urn) return refuse(UserErrorCode.INVALID_URN, `${urn.error}.`, ["contactUrn"]);
      contactId = (await this.contacts.findOrCreateByUrn(em, workspaceId, urn.urn, null)).contactId;
    }
    // The contact row is the lock that serialises openings and reopenings for one contact. NO KEY
    // UPDATE, not UPDATE: a reply or a message inserted meanwhile references the contact (a KEY
    // SHARE lock), and must neither wait for this nor deadlock with it.
    const [contact] = await em.query<Array<{ name: string | null }>>(
      `SELECT name FROM contacts WHERE workspace_id = $1 AND id = $2 FOR NO KEY UPDATE`,
      [workspaceId, contactId],
    );
    if (!contact) refuse(UserErrorCode.NOT_FOUND, "No such contact.", ["contactId"]);
    // A concurrent retry with the same key held this lock until it committed: answer as it did.
    if (cmd.idempotencyKey) {
      const repeat = await this.repeatOf(ctx, cmd, em);
      if (repeat) answerEarly(repeat);
    }

    const [open] = await em.query<TicketRow[]>(
      `SELECT ${TICKET_COLUMNS} FROM tickets t WHERE t.workspace_id = $1 AND t.contact_id = $2 AND t.status = 'OPEN'`,
      [workspaceId, contactId],
    );
    if (open) answerEarly(alreadyOpen(ctx, cmd, open));

    let note: string | null = null;
    if (cmd.note !== undefined) {
      const field = await this.noteFields(ctx, em, contactId);
      const rendered = renderNote(cmd.note, { results: cmd.results, contactName: contact.name, field });
      note = rendered.note;
      warnings.push(...rendered.warnings);
    }

    const ticketId = uuidv7();
    const [ticket] = await em.query<TicketRow[]>(
      `INSERT INTO tickets AS t (id, workspace_id, contact_id, topic_id, assignee_id, status, opened_by_id, opened_in_id,
                            last_activity_at, idempotency_key, open_warnings)
       VALUES ($2, $1, $3, $4, $5, 'OPEN', $6, $7, clock_timestamp(), $8, $9)
       RETURNING ${TICKET_COLUMNS}`,
      [
        workspaceId,
        ticketId,
        contactId,
        topic.id,
        assigneeId,
        flowId ? null : ctx.actor.userId,
        flowId,
        cmd.idempotencyKey ?? null,
        JSON.stringify(warnings),
      ],
    );
    await appendEvents(
      em,
      workspaceId,
      [
        {
          ticketId,
          ticketVersion: 1,
          type: TicketEventType.OPENED,
          actorId: flowId ? null : ctx.actor.userId,
          topicId: topic.id,
          assigneeId,
          note,
          mentionsIn: cmd.note,
        },
      ],
      [uuidv7()],
    );
    await recordCountChanges(em, workspaceId, [{ status: TicketStatus.OPEN, topicId: topic.id, assigneeId, delta: 1 }]);
    return ok({ ticket, warnings });
  }

  /**
   * How `@fields.key` resolves in a note. Notes are read by agents, so whoever opens the ticket,
   * a field agents may not see renders empty with a warning (the rule of `fieldsVisibleTo`).
   */
  private async noteFields(ctx: AuthedContext, em: EntityManager, contactId: string): Promise<NoteContext["field"]> {
    const fields = await ctx.loaders.fields();
    const forAgents = new Set(fieldsVisibleTo(Role.AGENT, fields).map((v) => v.field.id));
    const rows = await em.query<Array<{ field_id: string; value: string }>>(
      `SELECT field_id, value FROM contact_field_values WHERE workspace_id = $1 AND contact_id = $2`,
      [ctx.actor.workspaceId, contactId],
    );
    const values = new Map(rows.map((r) => [r.field_id, r.value]));
    return (key) => {
      const field = fields.find((f) => f.key === key);
      if (!field) return undefined;
      if (!forAgents.has(field.id)) return { visible: false };
      return { visible: true, value: values.get(field.id) ?? null };
    };
  }

  /** The first result of an earlier call with the same idempotency key, if there was one. */
  private async repeatOf(
    ctx: AuthedContext,
    cmd: OpenTicketCommand,
    em: EntityManager = ctx.work.em,
  ): Promise<OpenTicketResult | undefined> {
    const workspaceId = ctx.actor.workspaceId;
    const [first] = await em.query<Array<TicketRow & { openWarnings: string[]; contactUrns: string[] }>>(
      `SELECT ${TICKET_COLUMNS}, t.open_warnings AS "openWarnings",
              array(SELECT u.urn FROM contact_urns u WHERE u.contact_id = t.contact_id) AS "contactUrns"
         FROM tickets t WHERE t.workspace_id = $1 AND t.idempotency_key = $2`,
      [workspaceId, cmd.idempotencyKey],
    );
    if (!first) return undefined;
    const parsed = cmd.contactUrn ? parseUrn(cmd.contactUrn) : undefined;
    const sameContact = cmd.contactId
      ? cmd.contactId === first.contactId
      : parsed !== undefined && !("error" in parsed) && first.contactUrns.includes(parsed.urn);
    if (!sameContact) {
      return fail(UserErrorCode.IDEMPOTENCY_KEY_REUSED, "This idempotencyKey was used for another contact.", ["idempotencyKey"]);
    }
    const { openWarnings, contactUrns: _urns, ...ticket } = first;
    return ok({ ticket, warnings: openWarnings });
  }

  /** ALREADY_OPEN found by the constraint, after a concurrent call opened the contact's ticket. */
  private async alreadyOpen(ctx: AuthedContext, cmd: OpenTicketCommand): Promise<OpenTicketResult> {
    const urn = cmd.contactUrn ? parseUrn(cmd.contactUrn) : undefined;
    const [open] = await ctx.work.query<TicketRow[]>(
      `SELECT ${TICKET_COLUMNS} FROM tickets t
        WHERE t.workspace_id = $1 AND t.status = 'OPEN'
          AND t.contact_id = coalesce($2::uuid, (SELECT contact_id FROM contact_urns WHERE workspace_id = $1 AND urn = $3))`,
      [ctx.actor.workspaceId, cmd.contactId ?? null, urn && !("error" in urn) ? urn.urn : null],
    );
    return alreadyOpen(ctx, cmd, open);
  }

  /**
   * Runs one bulk change: one transaction; tickets locked in id order; each business-rule failure
   * becomes a TicketFailure with no write for that ticket; the rest commit together. Answers in
   * input order, duplicates removed. A refusal of the whole call (`refuse` in `prepare`: a bad
   * topic, say) undoes everything.
   */
  private async bulk(
    ctx: AuthedContext,
    ticketIds: string[],
    decide: (tickets: Map<string, TicketRow>, em: EntityManager) => Promise<Map<string, Decision>> | Map<string, Decision>,
    prepare?: (em: EntityManager, ids: string[]) => Promise<void>,
    afterChanges?: (em: EntityManager, changed: TicketRow[]) => Promise<void>,
  ): Promise<Result<BulkDone>> {
    const ids = [...new Set(ticketIds)];
    const workspaceId = ctx.actor.workspaceId;
    return refusable(ctx.work, async (em) => {
      await prepare?.(em, ids);
      const locked = await lockTickets(em, workspaceId, ids);
      for (const [id, ticket] of locked) if (!canSeeTicket(ctx.actor, ticket)) locked.delete(id);
      const decisions = await decide(locked, em);
      const changes: TicketChange[] = [];
      const failures: TicketFailure[] = [];
      for (const id of ids) {
        const decision = locked.has(id) ? decisions.get(id) : refused(UserErrorCode.NOT_FOUND, "No such ticket.");
        if (!decision) continue;
        if ("code" in decision) failures.push({ ticketId: id, ...decision });
        else changes.push(decision);
      }
      const updated = await applyTicketChanges(em, workspaceId, changes);
      const tickets = ids.flatMap((id) => updated.get(id) ?? []);
      await afterChanges?.(em, tickets);
      return ok({ tickets, failures });
    });
  }

  private each(tickets: Map<string, TicketRow>, rule: (t: TicketRow) => Decision): Map<string, Decision> {
    return new Map([...tickets.values()].map((t) => [t.id, rule(t)]));
  }

  /** Assigns to a member (by User id) or, with null, unassigns. Does not move lastActivityAt. */
  async assign(ctx: AuthedContext, ticketIds: string[], assigneeId: string | null): Promise<Result<BulkDone>> {
    const scope =
      assigneeId === null ? { member: true, topicIds: null } : await memberTopicScope(ctx.work.em, ctx.actor.workspaceId, assigneeId);
    if (!scope.member) return fail(UserErrorCode.NOT_A_MEMBER, "The assignee is not a member of this workspace.", ["assigneeId"]);
    return this.bulk(ctx, ticketIds, (tickets) =>
      this.each(tickets, (t) => {
        if (t.assigneeId === assigneeId) {
          return refused(
            UserErrorCode.ALREADY_ASSIGNED,
            assigneeId ? "The ticket is already assigned to this member." : "The ticket is already unassigned.",
          );
        }
        if (!mayAssign(ctx.actor, t, assigneeId)) {
          return refused(UserErrorCode.CANNOT_ASSIGN, "You may take unassigned tickets and release your own, not assign others.");
        }
        if (!canSeeTicket(scope, t)) {
          return refused(UserErrorCode.ASSIGNEE_CANNOT_SEE, "The assignee's team does not cover this ticket's topic.");
        }
        return {
          ticket: t,
          set: { assigneeId },
          touch: false,
          event: { type: TicketEventType.ASSIGNED, actorId: ctx.actor.userId, assigneeId, previousAssigneeId: t.assigneeId },
        };
      }),
    );
  }

  async changeTopic(ctx: AuthedContext, ticketIds: string[], topicId: string): Promise<Result<BulkDone>> {
    return this.bulk(
      ctx,
      ticketIds,
      (tickets) =>
        this.each(tickets, (t) =>
          t.topicId === topicId
            ? refused(UserErrorCode.SAME_TOPIC, "The ticket is already under this topic.")
            : {
                ticket: t,
                set: { topicId },
                touch: true,
                event: { type: TicketEventType.TOPIC_CHANGED, actorId: ctx.actor.userId, topicId, previousTopicId: t.topicId },
              },
        ),
      async (em) => {
        const [topic] = await em.query(`SELECT id FROM topics WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL FOR KEY SHARE`, [
          ctx.actor.workspaceId,
          topicId,
        ]);
        if (topic && !canSeeTopic(ctx.actor, topicId)) {
          refuse(UserErrorCode.TOPIC_NOT_ALLOWED, "The topic is outside your team.", ["topicId"]);
        }
        if (!topic) refuse(UserErrorCode.NOT_FOUND, "No such topic.", ["topicId"]);
      },
    );
  }

  async close(ctx: AuthedContext, ticketIds: string[]): Promise<Result<BulkDone>> {
    return this.bulk(
      ctx,
      ticketIds,
      (tickets) =>
        this.each(tickets, (t) =>
          t.status === TicketStatus.CLOSED
            ? refused(UserErrorCode.ALREADY_CLOSED, "The ticket is already closed.")
            : {
                ticket: t,
                set: { status: TicketStatus.CLOSED },
                closedAt: "set",
                touch: true,
                event: { type: TicketEventType.CLOSED, actorId: ctx.actor.userId },
              },
        ),
      undefined,
      (em, closed) => recordFlowStarts(em, ctx.actor.workspaceId, closed),
    );
  }

  /**
   * Reopens closed tickets. A contact keeps at most one open ticket: when it already has one,
   * or when several of its tickets are asked for, only its newest is reopened and the others
   * fail ALREADY_OPEN naming the conflicting ticket.
   */
  async reopen(ctx: AuthedContext, ticketIds: string[]): Promise<Result<BulkDone>> {
    const workspaceId = ctx.actor.workspaceId;
    let openByContact = new Map<string, string>();
    return this.bulk(
      ctx,
      ticketIds,
      (tickets) => {
        const decisions = new Map<string, Decision>();
        const candidates = [...tickets.values()]
          .filter((t) => t.status === TicketStatus.CLOSED)
          .sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime() || (a.id < b.id ? 1 : -1));
        for (const t of tickets.values()) {
          if (t.status === TicketStatus.OPEN) decisions.set(t.id, refused(UserErrorCode.ALREADY_OPEN, "The ticket is already open."));
        }
        for (const t of candidates) {
          const open = openByContact.get(t.contactId);
          if (open) {
            decisions.set(t.id, refused(UserErrorCode.ALREADY_OPEN, "The contact has another open ticket.", open));
            continue;
          }
          openByContact.set(t.contactId, t.id);
          decisions.set(t.id, {
            ticket: t,
            set: { status: TicketStatus.OPEN },
            closedAt: "clear",
            touch: true,
            event: { type: TicketEventType.REOPENED, actorId: ctx.actor.userId },
          });
        }
        return decisions;
      },
      async (em, ids) => {
        // Lock the contacts first (in id order), as openTicket does, then read their open tickets.
        const contactIds = await em.query<Array<{ contact_id: string }>>(
          `SELECT DISTINCT contact_id FROM tickets WHERE workspace_id = $1 AND id = ANY($2)`,
          [workspaceId, ids],
        );
        await em.query(`SELECT id FROM contacts WHERE workspace_id = $1 AND id = ANY($2) ORDER BY id FOR NO KEY UPDATE`, [
          workspaceId,
          contactIds.map((c) => c.contact_id),
        ]);
        const open = await em.query<Array<{ id: string; contact_id: string }>>(
          `SELECT id, contact_id FROM tickets WHERE workspace_id = $1 AND status = 'OPEN' AND contact_id = ANY($2)`,
          [workspaceId, contactIds.map((c) => c.contact_id)],
        );
        openByContact = new Map(open.map((o) => [o.contact_id, o.id]));
      },
    );
  }

  /** Adds an internal note (never sent to the contact). A blank note is EMPTY_NOTE. */
  async addNote(ctx: AuthedContext, ticketIds: string[], note: string): Promise<Result<BulkDone>> {
    const text = note.trim();
    if (text === "") return fail(UserErrorCode.EMPTY_NOTE, "The note is blank.", ["note"]);
    return this.bulk(ctx, ticketIds, (tickets) =>
      this.each(tickets, (t) => ({
        ticket: t,
        touch: true,
        event: { type: TicketEventType.NOTE_ADDED, actorId: ctx.actor.userId, note: text },
      })),
    );
  }
}
