import type { EntityManager } from "typeorm";
import type { AuthedContext } from "../../context";
import { columnsOf } from "../../db/columns";
import type { TicketRow } from "../../db/rows";
import { Membership, Role, TicketEventType } from "../../entities";
import type { SessionChanges } from "../identity/session-events";
import { applyTicketChanges, lockTickets } from "../tickets/ticket-store";
import { fail, ok, refusable, type Result, UserErrorCode } from "../user-error";

const MEMBER_COLUMNS = columnsOf(Membership, null);

/** What updateMember changes; what is absent stays as it is. */
export interface MemberChanges {
  role?: Role;
  teamId?: string | null;
  /** Kept whatever the role; they restrict the member while an agent. */
  canAssign?: boolean;
  canReplyToOthers?: boolean;
}

/** Members: roles, teams, removal. The last administrator always stays. */
export class MemberService {
  constructor(private readonly sessions: SessionChanges) {}

  /**
   * Changes a member's role and team. Only agents have teams (TEAM_NOT_FOR_ROLE), so promoting
   * an agent takes them out of theirs; the last administrator cannot be demoted.
   */
  async update(ctx: AuthedContext, id: string, input: MemberChanges): Promise<Result<Membership>> {
    const workspaceId = ctx.actor.workspaceId;
    const result = await refusable(ctx.work, async (em) => {
      const member = await this.lockMember(em, workspaceId, id);
      if (!member) return fail<Membership>(UserErrorCode.NOT_FOUND, "No such member.", ["id"]);
      const role = input.role ?? member.role;
      let teamId = input.teamId === undefined ? member.teamId : input.teamId;
      if (role !== Role.AGENT) {
        if (input.teamId) return fail<Membership>(UserErrorCode.TEAM_NOT_FOR_ROLE, "Only agents belong to teams.", ["teamId"]);
        teamId = null;
      }
      if (teamId && teamId !== member.teamId) {
        const [team] = await em.query(`SELECT id FROM teams WHERE workspace_id = $1 AND id = $2 FOR KEY SHARE`, [workspaceId, teamId]);
        if (!team) return fail<Membership>(UserErrorCode.NOT_FOUND, "No such team.", ["teamId"]);
      }
      if (member.role === Role.ADMINISTRATOR && role !== Role.ADMINISTRATOR && (await this.isLastAdministrator(em, workspaceId))) {
        return fail<Membership>(UserErrorCode.LAST_ADMINISTRATOR, "The workspace's last administrator keeps that role.", ["role"]);
      }
      const canAssign = input.canAssign ?? member.canAssign;
      const canReplyToOthers = input.canReplyToOthers ?? member.canReplyToOthers;
      await em.query(
        `UPDATE memberships SET role = $3, team_id = $4, can_assign = $5, can_reply_to_others = $6 WHERE workspace_id = $1 AND id = $2`,
        [workspaceId, id, role, teamId, canAssign, canReplyToOthers],
      );
      // Invitations only administrators can send: a demoted one's pending invitations go too.
      if (member.role === Role.ADMINISTRATOR && role !== Role.ADMINISTRATOR) await this.revokeInvitationsBy(em, workspaceId, member.userId);
      return ok({ ...member, role, teamId, canAssign, canReplyToOthers });
    });
    // What their live connections may see changes with their role and team.
    if (result.ok) this.sessions.changed(workspaceId);
    return result;
  }

  /**
   * Removes a member: their tokens in this workspace are revoked, their open tickets are
   * unassigned (each with its ASSIGNED event) and the invitations they sent are revoked, in one
   * transaction; then their live connections are told. The last administrator cannot be removed.
   */
  async remove(ctx: AuthedContext, id: string): Promise<Result<string>> {
    const workspaceId = ctx.actor.workspaceId;
    const result = await refusable(ctx.work, async (em) => {
      const member = await this.lockMember(em, workspaceId, id);
      if (!member) return fail<Membership>(UserErrorCode.NOT_FOUND, "No such member.", ["id"]);
      if (member.role === Role.ADMINISTRATOR && (await this.isLastAdministrator(em, workspaceId))) {
        return fail<Membership>(UserErrorCode.LAST_ADMINISTRATOR, "The workspace's last administrator cannot be removed.", ["id"]);
      }
      const assigned = await em.query<Array<{ id: string }>>(
        `SELECT id FROM tickets WHERE workspace_id = $1 AND assignee_id = $2 AND status = 'OPEN' ORDER BY id`,
        [workspaceId, member.userId],
      );
      const tickets = await lockTickets(
        em,
        workspaceId,
        assigned.map((t) => t.id),
      );
      const stillAssigned = [...tickets.values()].filter((t: TicketRow) => t.assigneeId === member.userId && t.status === "OPEN");
      await applyTicketChanges(
        em,
        workspaceId,
        stillAssigned.map((ticket) => ({
          ticket,
          set: { assigneeId: null },
          touch: false,
          event: { type: TicketEventType.ASSIGNED, actorId: ctx.actor.userId, assigneeId: null, previousAssigneeId: member.userId },
        })),
      );
      await em.query(`UPDATE api_tokens SET revoked_at = now() WHERE workspace_id = $1 AND user_id = $2 AND revoked_at IS NULL`, [
        workspaceId,
        member.userId,
      ]);
      await em.query(`DELETE FROM memberships WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
      // A departing member leaves no way back in: the invitations they sent are revoked.
      await this.revokeInvitationsBy(em, workspaceId, member.userId);
      return ok(member);
    });
    if (!result.ok) return result;
    this.sessions.changed(workspaceId);
    return ok(id);
  }

  /** Revokes the pending invitations a member sent. */
  private async revokeInvitationsBy(em: EntityManager, workspaceId: string, userId: string): Promise<void> {
    await em.query(
      `UPDATE invitations SET revoked_at = now()
        WHERE workspace_id = $1 AND invited_by_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()`,
      [workspaceId, userId],
    );
  }

  private async lockMember(em: EntityManager, workspaceId: string, id: string): Promise<Membership | undefined> {
    // The workspace row serialises changes of roles, so the last-administrator rule holds under concurrency.
    await em.query(`SELECT id FROM workspaces WHERE id = $1 FOR NO KEY UPDATE`, [workspaceId]);
    const [member] = await em.query<Membership[]>(`SELECT ${MEMBER_COLUMNS} FROM memberships WHERE workspace_id = $1 AND id = $2`, [
      workspaceId,
      id,
    ]);
    return member;
  }

  private async isLastAdministrator(em: EntityManager, workspaceId: string): Promise<boolean> {
    const [{ n }] = await em.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM memberships WHERE workspace_id = $1 AND role = 'ADMINISTRATOR'`,
      [workspaceId],
    );
    return n <= 1;
  }
}
