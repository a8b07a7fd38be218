import { randomUUID } from "node:crypto";
import { hashPassword } from "../../src/auth/password";
import { parseGlobalId, toGlobalId } from "../../src/schema/global-id";
import type { SignedUp, TestServer } from "./harness";

export const uuid = (globalId: string): string => parseGlobalId(globalId)!.uuid;

let passwordHash: Promise<string> | undefined;

/**
 * Adds a member with a role to a workspace and logs them in. Members normally join by
 * invitation; tests write the membership directly to set up roles quickly.
 */
export async function addMember(
  srv: TestServer,
  workspaceGlobalId: string,
  role: "ADMINISTRATOR" | "EDITOR" | "AGENT",
  name = role.toLowerCase(),
): Promise<SignedUp> {
  passwordHash ??= hashPassword("member password");
  const userId = randomUUID();
  const email = `${name}-${userId.slice(0, 8)}@example.com`;
  await srv.server.db.query(`INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4)`, [
    userId,
    email,
    name,
    await passwordHash,
  ]);
  await srv.server.db.query(`INSERT INTO memberships (id, workspace_id, user_id, role) VALUES ($1, $2, $3, $4)`, [
    randomUUID(),
    uuid(workspaceGlobalId),
    userId,
    role,
  ]);
  const res = await srv.gql<{ logIn: { token: string } }>(`mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
    i: { email, password: "member password" },
  });
  return {
    token: res.data!.logIn.token,
    email,
    password: "member password",
    userId: toGlobalId("User", userId),
    workspaceId: workspaceGlobalId,
  };
}

/** A workspace with an administrator, an editor and an agent. */
export async function team(srv: TestServer): Promise<{ admin: SignedUp; editor: SignedUp; agent: SignedUp }> {
  const admin = await srv.signUp();
  const [editor, agent] = await Promise.all([addMember(srv, admin.workspaceId, "EDITOR"), addMember(srv, admin.workspaceId, "AGENT")]);
  return { admin, editor, agent };
}

/** Runs a GraphQL operation and fails the test on any top-level error. */
export async function ok<T>(srv: TestServer, query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const res = await srv.gql<T>(query, variables, token);
  if (res.errors) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

export const OPEN = `mutation($i: OpenTicketInput!) { openTicket(input: $i) {
  ticket { id status version openedAt lastActivityAt contact { id name urns } topic { id name } assignee { id } openedBy { id } openedIn { id externalId } notes { note } }
  existingTicket { id } warnings userErrors { code field message } } }`;

export const BULK_FIELDS = `tickets { id status version lastActivityAt closedAt assignee { id } topic { id } } failures { ticketId code message conflictingTicket { id } } userErrors { code field }`;

export interface OpenedTicket {
  id: string;
  status: string;
  version: number;
  openedAt: string;
  lastActivityAt: string;
  contact: { id: string; name: string | null; urns: string[] };
  topic: { id: string; name: string };
  assignee: { id: string } | null;
  openedBy: { id: string } | null;
  openedIn: { id: string; externalId: string } | null;
  notes: Array<{ note: string }>;
}

export interface OpenResult {
  openTicket: {
    ticket: OpenedTicket | null;
    existingTicket: { id: string } | null;
    warnings: string[];
    userErrors: Array<{ code: string; field: string[] | null; message: string }>;
  };
}

let urnCounter = 0;
/** A fresh, valid phone URN. */
export function newUrn(): string {
  urnCounter += 1;
  return `tel:+1555${String(process.pid % 1000).padStart(3, "0")}${String(urnCounter).padStart(6, "0")}`;
}

export async function openTicket(srv: TestServer, token: string, input: Record<string, unknown> = {}): Promise<OpenedTicket> {
  const contact = input.contactId || input.contactUrn ? {} : { contactUrn: newUrn() };
  const data = await ok<OpenResult>(srv, OPEN, { i: { ...contact, ...input } }, token);
  if (!data.openTicket.ticket) throw new Error(`openTicket failed: ${JSON.stringify(data.openTicket)}`);
  return data.openTicket.ticket;
}

/** Changes a member's role, team or agent permissions (by their user id), as an administrator of their workspace would. */
export async function updateMember(
  srv: TestServer,
  adminToken: string,
  userId: string,
  input: { role?: "ADMINISTRATOR" | "EDITOR" | "AGENT"; teamId?: string | null; canAssign?: boolean; canReplyToOthers?: boolean },
): Promise<void> {
  await ok(
    srv,
    `mutation($i: UpdateMemberInput!) { updateMember(input: $i) { member { id } userErrors { code } } }`,
    { i: { id: await memberIdOf(srv, adminToken, userId), ...input } },
    adminToken,
  );
}

/** Removes the user's membership from the admin's workspace. */
export async function removeMember(srv: TestServer, adminToken: string, userId: string): Promise<void> {
  await ok(
    srv,
    `mutation($i: RemoveMemberInput!) { removeMember(input: $i) { deletedId } }`,
    { i: { id: await memberIdOf(srv, adminToken, userId) } },
    adminToken,
  );
}

async function memberIdOf(srv: TestServer, adminToken: string, userId: string): Promise<string> {
  const { members } = await ok<{ members: Array<{ id: string; user: { id: string } }> }>(
    srv,
    `{ members { id user { id } } }`,
    {},
    adminToken,
  );
  const member = members.find((m) => m.user.id === userId);
  if (!member) throw new Error(`no member with user ${userId}`);
  return member.id;
}

/** Creates a topic in the token's workspace; returns its id. */
export async function createTopic(srv: TestServer, token: string, name: string): Promise<string> {
  const res = await ok<{ createTopic: { topic: { id: string } } }>(
    srv,
    `mutation($n: String!) { createTopic(input: { name: $n }) { topic { id } } }`,
    { n: name },
    token,
  );
  return res.createTopic.topic.id;
}
