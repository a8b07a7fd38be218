import { addMember, BULK_FIELDS, ok, openTicket, team, updateMember } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { connection } from "../support/subscriber";

/**
 * An agent's permissions on their membership: canAssign (assign tickets to others, unassign
 * others') and canReplyToOthers (reply in tickets assigned to someone else). Both default to true;
 * administrators set them with updateMember. Without them an agent may still take an unassigned
 * ticket, release their own, and reply in unassigned tickets and their own. A refusal is a code of
 * its own (CANNOT_ASSIGN per ticket, CANNOT_REPLY as a userError) and changes nothing.
 */

const ASSIGN = `mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { ${BULK_FIELDS} } }`;
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id text } userErrors { code field } } }`;
const MEMBERS = `{ members { role canAssign canReplyToOthers user { id } } }`;
const UPDATE = `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { canAssign canReplyToOthers } userErrors { code } } }`;
const THREAD = `query($id: ID!) { ticket(id: $id) { assignee { id } lastMessage { text } } }`;

interface Bulk {
  assignTickets: {
    tickets: Array<{ id: string; assignee: { id: string } | null }>;
    failures: Array<{ ticketId: string; code: string }>;
    userErrors: unknown[];
  };
}
interface Sent {
  sendMessage: { message: { id: string; text: string } | null; userErrors: Array<{ code: string; field: string[] }> };
}
interface Thread {
  ticket: { assignee: { id: string } | null; lastMessage: { text: string } | null };
}

let srv: TestServer;
let admin: SignedUp;
let editor: SignedUp;
/** The agent whose permissions are taken away. */
let agent: SignedUp;
/** Another agent, to whom tickets are assigned. */
let other: SignedUp;

beforeAll(async () => {
  srv = await startTestServer();
  ({ admin, editor, agent } = await team(srv));
  other = await addMember(srv, admin.workspaceId, "AGENT", "other");
});
afterAll(() => srv.close());

const assign = (token: string, ticketIds: string[], assigneeId: string | null) =>
  ok<Bulk>(srv, ASSIGN, { i: { ticketIds, assigneeId } }, token).then((d) => d.assignTickets);
const assigneeOf = async (ticketId: string) => (await ok<Thread>(srv, THREAD, { id: ticketId }, admin.token)).ticket.assignee?.id ?? null;

describe("agent permissions", () => {
  it("are both true by default, for every member", async () => {
    const { members } = await ok<{ members: Array<{ canAssign: boolean; canReplyToOthers: boolean }> }>(srv, MEMBERS, {}, admin.token);
    expect(members).toHaveLength(4);
    for (const m of members) expect(m).toMatchObject({ canAssign: true, canReplyToOthers: true });
  });

  it("are set by administrators only, and what is not given stays", async () => {
    const memberId = (
      await ok<{ members: Array<{ id: string; user: { id: string } }> }>(srv, `{ members { id user { id } } }`, {}, admin.token)
    ).members.find((m) => m.user.id === agent.userId)!.id;
    for (const token of [editor.token, agent.token]) {
      const denied = await srv.gql(UPDATE, { i: { id: memberId, canAssign: false } }, token);
      expect(denied.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
    const first = await ok<{ updateMember: unknown }>(srv, UPDATE, { i: { id: memberId, canAssign: false } }, admin.token);
    expect(first.updateMember).toEqual({ member: { canAssign: false, canReplyToOthers: true }, userErrors: [] });
    const second = await ok<{ updateMember: unknown }>(srv, UPDATE, { i: { id: memberId, canReplyToOthers: false } }, admin.token);
    expect(second.updateMember).toEqual({ member: { canAssign: false, canReplyToOthers: false }, userErrors: [] });
    const again = await ok<{ updateMember: unknown }>(srv, UPDATE, { i: { id: memberId, role: "AGENT" } }, admin.token);
    expect(again.updateMember).toEqual({ member: { canAssign: false, canReplyToOthers: false }, userErrors: [] });
  });

  describe("without canAssign, an agent", () => {
    it("takes an unassigned ticket and releases their own", async () => {
      const t = await openTicket(srv, editor.token);
      expect(await assign(agent.token, [t.id], agent.userId)).toMatchObject({
        failures: [],
        tickets: [{ id: t.id, assignee: { id: agent.userId } }],
      });
      expect(await assign(agent.token, [t.id], null)).toMatchObject({ failures: [], tickets: [{ id: t.id, assignee: null }] });
    });

    it("may not assign to another, take another's ticket, or unassign another: CANNOT_ASSIGN per ticket, nothing changed", async () => {
      const unassigned = await openTicket(srv, editor.token);
      const others = await openTicket(srv, editor.token, { assigneeId: other.userId });
      const mine = await openTicket(srv, editor.token);
      await assign(admin.token, [mine.id], null);

      const toOther = await assign(agent.token, [unassigned.id, mine.id], other.userId);
      expect(toOther).toEqual({
        tickets: [],
        failures: [
          expect.objectContaining({ ticketId: unassigned.id, code: "CANNOT_ASSIGN" }),
          expect.objectContaining({ ticketId: mine.id, code: "CANNOT_ASSIGN" }),
        ],
        userErrors: [],
      });
      const take = await assign(agent.token, [others.id, unassigned.id], agent.userId);
      expect(take.failures).toEqual([expect.objectContaining({ ticketId: others.id, code: "CANNOT_ASSIGN" })]);
      expect(take.tickets.map((t) => t.id)).toEqual([unassigned.id]);
      const release = await assign(agent.token, [others.id], null);
      expect(release.failures).toEqual([expect.objectContaining({ ticketId: others.id, code: "CANNOT_ASSIGN" })]);

      expect(await assigneeOf(others.id)).toBe(other.userId);
      expect(await assigneeOf(unassigned.id)).toBe(agent.userId);
      expect(await assigneeOf(mine.id)).toBeNull();
    });

    it("says ALREADY_ASSIGNED before CANNOT_ASSIGN for a ticket already so", async () => {
      const t = await openTicket(srv, editor.token, { assigneeId: other.userId });
      const again = await assign(agent.token, [t.id], other.userId);
      expect(again.failures).toEqual([expect.objectContaining({ code: "ALREADY_ASSIGNED" })]);
    });

    it("assigns again as soon as an administrator gives the permission back", async () => {
      const t = await openTicket(srv, editor.token);
      expect((await assign(agent.token, [t.id], other.userId)).failures).toEqual([expect.objectContaining({ code: "CANNOT_ASSIGN" })]);
      await updateMember(srv, admin.token, agent.userId, { canAssign: true });
      expect(await assign(agent.token, [t.id], other.userId)).toMatchObject({
        failures: [],
        tickets: [{ assignee: { id: other.userId } }],
      });
      await updateMember(srv, admin.token, agent.userId, { canAssign: false });
      expect((await assign(agent.token, [t.id], null)).failures).toEqual([expect.objectContaining({ code: "CANNOT_ASSIGN" })]);
    });
  });

  describe("without canReplyToOthers, an agent", () => {
    it("replies in unassigned tickets and their own", async () => {
      const unassigned = await openTicket(srv, editor.token);
      const mine = await openTicket(srv, editor.token, { assigneeId: agent.userId });
      for (const t of [unassigned, mine]) {
        const sent = await ok<Sent>(srv, SEND, { i: { ticketId: t.id, text: "On it." } }, agent.token);
        expect(sent.sendMessage).toMatchObject({ message: { text: "On it." }, userErrors: [] });
      }
    });

    it("may not reply in another's ticket: CANNOT_REPLY, and no message is stored", async () => {
      const t = await openTicket(srv, editor.token, { assigneeId: other.userId });
      const sent = await ok<Sent>(srv, SEND, { i: { ticketId: t.id, text: "Let me butt in." } }, agent.token);
      expect(sent.sendMessage).toEqual({ message: null, userErrors: [{ code: "CANNOT_REPLY", field: ["ticketId"] }] });
      expect((await ok<Thread>(srv, THREAD, { id: t.id }, admin.token)).ticket.lastMessage).toBeNull();
    });
  });

  it("apply over an open WebSocket from the operation sent right after the change, as over HTTP", async () => {
    const socket = connection(srv.wsUrl, agent.token);
    expect(await socket.connected()).toBe(true);
    const overSocket = (ticketIds: string[], assigneeId: string) =>
      new Promise<Bulk["assignTickets"]>((resolve, reject) => {
        let result: { data?: Bulk } | undefined;
        socket.client.subscribe<Bulk>(
          { query: ASSIGN, variables: { i: { ticketIds, assigneeId } } },
          { next: (r) => (result = r as { data?: Bulk }), error: reject, complete: () => resolve(result!.data!.assignTickets) },
        );
      });
    try {
      for (let round = 0; round < 20; round++) {
        const t = await openTicket(srv, editor.token);
        await updateMember(srv, admin.token, agent.userId, { canAssign: true });
        await updateMember(srv, admin.token, agent.userId, { canAssign: false });
        // The agent is busy over HTTP too, as an inbox would be.
        const [answer] = await Promise.all([overSocket([t.id], other.userId), srv.gql(`{ viewer { role } }`, {}, agent.token)]);
        expect(answer.failures).toEqual([expect.objectContaining({ code: "CANNOT_ASSIGN" })]);
      }
    } finally {
      await socket.stop();
    }
  });

  it("never restrict administrators and editors, whatever is stored for them", async () => {
    await updateMember(srv, admin.token, editor.userId, { canAssign: false, canReplyToOthers: false });
    const t = await openTicket(srv, admin.token, { assigneeId: other.userId });
    expect(await assign(editor.token, [t.id], admin.userId)).toMatchObject({ failures: [], tickets: [{ assignee: { id: admin.userId } }] });
    const sent = await ok<Sent>(srv, SEND, { i: { ticketId: t.id, text: "Editor here." } }, editor.token);
    expect(sent.sendMessage.userErrors).toEqual([]);
    // Demoted to agent, the stored settings apply.
    await updateMember(srv, admin.token, editor.userId, { role: "AGENT" });
    const asAgent = await ok<Sent>(srv, SEND, { i: { ticketId: t.id, text: "Agent now." } }, editor.token);
    expect(asAgent.sendMessage.userErrors).toEqual([{ code: "CANNOT_REPLY", field: ["ticketId"] }]);
  });
});
