import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { csvCell, csvLine } from "../../src/services/exports/csv";
import { fieldsVisibleTo } from "../../src/auth/visibility";
import { type ContactField, ContactFieldType, FieldAccess, Role } from "../../src/entities";
import { INTERRUPTED_MESSAGE } from "../../src/services/exports/export-runner";
import { toGlobalId } from "../../src/schema/global-id";
import { addMember, newUrn, ok, openTicket, removeMember, team, updateMember, uuid } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { call, type ServerProcess, spawnAsAdministrator } from "../support/server-process";
import { createTestDatabase } from "../support/database";
import pg from "pg";
import { subscribe } from "../support/subscriber";

/**
 * Ticket exports: a filter's tickets as CSV, written in the background, followed by polling or
 * the exportProgress subscription, downloaded with the requester's token or a single-use link,
 * seen by their requester only, expiring after their retention.
 */

const EXPORT = `mutation($i: ExportTicketsInput!) { exportTickets(input: $i) {
  export { id status rowCount progress createdAt finishedAt downloadUrl error } userErrors { code field message } } }`;
const EXPORTS = `query($first: Int) { exports(first: $first) { id status rowCount progress finishedAt downloadUrl error } }`;
const NODE = `query($id: ID!) { node(id: $id) { id ... on TicketExport { status downloadUrl error } } }`;
const PROGRESS = `subscription($id: ID!) { exportProgress(id: $id) { id status rowCount progress downloadUrl error } }`;

interface Exported {
  id: string;
  status: string;
  rowCount: number;
  progress: number;
  finishedAt: string | null;
  downloadUrl: string | null;
  error: string | null;
}

/** RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") endCell();
    else if (c === "\r" && text[i + 1] === "\n") {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    endCell();
    rows.push(row);
  }
  return rows;
}

let srv: TestServer;
let admin: SignedUp;
let editor: SignedUp;
let agent: SignedUp;
let other: SignedUp;
let exportDir: string;

beforeAll(async () => {
  exportDir = mkdtempSync(path.join(tmpdir(), "handover-exports-test-"));
  srv = await startTestServer({ EXPORT_PAGE_SIZE: "2", EXPORT_SWEEP_INTERVAL_MS: "100", EXPORT_DIR: exportDir });
  ({ admin, editor, agent } = await team(srv));
  other = await srv.signUp({ workspaceName: "Elsewhere" });
});
afterAll(async () => {
  await srv.close();
  rmSync(exportDir, { recursive: true, force: true });
});

async function startExport(who: SignedUp, filter: Record<string, unknown>): Promise<Exported> {
  const data = await ok<{ exportTickets: { export: Exported | null; userErrors: unknown[] } }>(srv, EXPORT, { i: { filter } }, who.token);
  expect(data.exportTickets.userErrors).toEqual([]);
  expect(["PENDING", "RUNNING"]).toContain(data.exportTickets.export!.status);
  return data.exportTickets.export!;
}

/** Polls the exports query until the export is finished. */
async function finished(who: SignedUp, id: string): Promise<Exported> {
  for (let i = 0; i < 200; i++) {
    const { exports } = await ok<{ exports: Exported[] }>(srv, EXPORTS, { first: 100 }, who.token);
    const found = exports.find((e) => e.id === id);
    if (found && !["PENDING", "RUNNING"].includes(found.status)) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`export ${id} did not finish`);
}

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
const fetchPath = (p: string, token?: string) => fetch(`${srv.url}${p}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const bearerPath = (id: string) => `/exports/${uuid(id)}/download`;

async function csvOf(who: SignedUp, filter: Record<string, unknown>): Promise<{ exported: Exported; rows: string[][] }> {
  const started = await startExport(who, filter);
  const exported = await finished(who, started.id);
  expect(exported).toMatchObject({ status: "DONE", progress: 1, error: null });
  const res = await fetchPath(bearerPath(exported.id), who.token);
  expect(res.status).toBe(200);
  return { exported, rows: parseCsv(await res.text()) };
}

async function ticketIds(who: SignedUp, filter: Record<string, unknown>): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const data: { tickets: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await ok(
      srv,
      `query($f: TicketFilter, $after: String) { tickets(filter: $f, first: 100, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`,
      { f: filter, after },
      who.token,
    );
    ids.push(...data.tickets.nodes.map((n) => n.id));
    if (!data.tickets.pageInfo.hasNextPage) return ids;
    after = data.tickets.pageInfo.endCursor;
  }
}

describe("the CSV", () => {
  let formula: { ticket: string; contact: string; urns: string[] };
  beforeAll(async () => {
    for (const [name, agentAccess] of [
      ["Plan", "VIEW"],
      ["Secret score", "NONE"],
    ]) {
      await ok(
        srv,
        `mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { userErrors { code } } }`,
        { i: { name, type: "TEXT", agentAccess } },
        admin.token,
      );
    }
    const created = await ok<{ createContact: { contact: { id: string; urns: string[] } } }>(
      srv,
      `mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id urns } } }`,
      { i: { name: '=HYPERLINK("http://evil.example","Zed, the \'quoted\'")', urns: [newUrn(), `ext:zed-${Date.now()}`] } },
      admin.token,
    );
    const contact = created.createContact.contact;
    await ok(
      srv,
      `mutation($i: SetContactFieldsInput!) { setContactFields(input: $i) { userErrors { code } } }`,
      {
        i: {
          contactId: contact.id,
          values: [
            { key: "plan", value: "-gold\nline two" },
            { key: "secret_score", value: "@42" },
          ],
        },
      },
      admin.token,
    );
    const ticket = await openTicket(srv, editor.token, { contactId: contact.id, assigneeId: agent.userId });
    formula = { ticket: ticket.id, contact: contact.id, urns: contact.urns };
    await openTicket(srv, editor.token);
    await openTicket(srv, editor.token);
  });

  it("has a header line, one line per ticket, RFC 4180 quoting and no formula a spreadsheet would run", async () => {
    const { exported, rows } = await csvOf(admin, { folder: "ALL", status: null });
    const [header, ...lines] = rows;
    expect(header).toEqual([
      "ticket_id",
      "contact_id",
      "contact_name",
      "contact_urns",
      "topic",
      "assignee",
      "assignee_email",
      "status",
      "opened_at",
      "replied_at",
      "closed_at",
      "last_activity_at",
      "plan",
      "secret_score",
    ]);
    expect(lines).toHaveLength(exported.rowCount);
    expect(exported.rowCount).toBe(3);
    const line = lines.find((l) => l[0] === formula.ticket)!;
    expect(line).toEqual([
      formula.ticket,
      formula.contact,
      `'=HYPERLINK("http://evil.example","Zed, the 'quoted'")`,
      formula.urns.join(" "),
      "General",
      "agent",
      agent.email,
      "OPEN",
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      "",
      "",
      expect.stringMatching(/Z$/),
      "'-gold\nline two",
      "'@42",
    ]);
  });

  it("writes quotes, commas and line breaks so that they read back, and protects every formula start", () => {
    expect(csvLine(["a", 'say "hi", then', "x\r\ny", ""])).toBe('a,"say ""hi"", then","x\r\ny",\r\n');
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) expect(csvCell(`${start}1`).replace(/^"/, "")).toMatch(/^'/);
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("é – ünïcödé")).toBe("é – ünïcödé");
    // Where lists are separated by semicolons, a spreadsheet splits there, quotes or not.
    expect(csvCell("x;=cmd|' /C calc'!A0;y")).toBe("x;'=cmd|' /C calc'!A0;y");
    expect(csvCell("a;b;+1;c")).toBe("a;b;'+1;c");
    expect(csvCell("=1;@2")).toBe("'=1;'@2");
    // And at a line break inside a quoted cell, or a tab (tab-separated imports).
    expect(csvCell("x\n=HYPERLINK(1)")).toBe('"x\n\'=HYPERLINK(1)"');
    expect(csvCell("x\r\n+1")).toBe('"x\r\n\'+1"');
    expect(csvCell("a\t@b")).toBe("a\t'@b");
  });

  it("has a column for each field the requester may see, and none for a field they may not", () => {
    // Administrators and editors see every field (DESIGN.md); the columns follow the one policy,
    // which hides a NONE field from an agent: were agents to export, theirs would lack it.
    const field = (key: string, agentAccess: FieldAccess) =>
      ({ id: key, key, name: key, type: ContactFieldType.TEXT, agentAccess, featured: false, priority: 0 }) as ContactField;
    const fields = [field("plan", FieldAccess.VIEW), field("secret_score", FieldAccess.NONE)];
    expect(fieldsVisibleTo(Role.EDITOR, fields).map((v) => v.field.key)).toEqual(["plan", "secret_score"]);
    expect(fieldsVisibleTo(Role.AGENT, fields).map((v) => v.field.key)).toEqual(["plan"]);
  });

  it("is served as a UTF-8 CSV attachment, streamed from a file named by the export's id", async () => {
    const started = await startExport(editor, { folder: "ALL" });
    const done = await finished(editor, started.id);
    const res = await fetchPath(bearerPath(done.id), editor.token);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="tickets-${done.finishedAt!.slice(0, 10)}.csv"`);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toContain(formula.ticket);
    expect(readdirSync(exportDir)).toContain(`${uuid(done.id)}.csv`);
  });
});

describe("the filter", () => {
  beforeAll(async () => {
    const searched = await ok<{ createContact: { contact: { id: string } } }>(
      srv,
      `mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id } } }`,
      { i: { name: "Ursula Searchable", urns: [newUrn()] } },
      admin.token,
    );
    await openTicket(srv, admin.token, { contactId: searched.createContact.contact.id, assigneeId: editor.userId });
    const closed = await openTicket(srv, admin.token);
    await ok(
      srv,
      `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { failures { code } } }`,
      { i: { ticketIds: [closed.id] } },
      admin.token,
    );
  });

  it.each([
    ["a folder", { folder: "MINE", status: null }],
    ["open tickets", { folder: "ALL" }],
    ["closed tickets", { folder: "ALL", status: "CLOSED" }],
    ["a search", { folder: "ALL", status: null, search: "searchab" }],
  ])("gives exactly the tickets the tickets query gives, in its order: %s", async (_label, filter) => {
    const who = (filter as { folder: string }).folder === "MINE" ? editor : admin;
    const { exported, rows } = await csvOf(who, filter);
    const expected = await ticketIds(who, filter);
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.slice(1).map((r) => r[0])).toEqual(expected);
    expect(exported.rowCount).toBe(expected.length);
  });

  it("refuses input the tickets query refuses, naming the field", async () => {
    for (const [filter, field] of [
      [{ search: "ab" }, "search"],
      [{ topicId: toGlobalId("Ticket", "00000000-0000-4000-8000-000000000000") }, "topicId"],
    ] as const) {
      const res = await srv.gql(EXPORT, { i: { filter } }, admin.token);
      expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT" });
      expect(String(res.errors?.[0].extensions?.field)).toContain(field);
    }
    const res = await srv.gql(EXPORTS, { first: 101 }, admin.token);
    expect(res.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "first" });
  });

  it("searches a text with a lone surrogate as the tickets query does (as U+FFFD), without an internal error", async () => {
    const search = "ab\uDC00cd";
    const listed = await ok<{ tickets: { nodes: unknown[] } }>(
      srv,
      `query($f: TicketFilter!) { tickets(filter: $f, first: 100) { nodes { id } } }`,
      { f: { folder: "ALL", status: null, search } },
      admin.token,
    );
    const { exported } = await csvOf(admin, { folder: "ALL", status: null, search });
    expect(exported.rowCount).toBe(listed.tickets.nodes.length);
  });
});

describe("following an export", () => {
  it("sends its state over the subscription until DONE, then ends", async () => {
    const started = await startExport(admin, { folder: "ALL", status: null });
    const sub = subscribe<{ exportProgress: Exported }>(srv.wsUrl, admin.token, PROGRESS, { variables: { id: started.id } });
    await sub.finished();
    expect(sub.errors).toEqual([]);
    const last = sub.events[sub.events.length - 1];
    expect(last).toMatchObject({ id: started.id, status: "DONE", progress: 1 });
    expect(last.downloadUrl).toMatch(/\/exports\/[0-9a-f-]{36}\/download\?token=/);
    expect(sub.events.length).toBeGreaterThanOrEqual(1);
    for (const e of sub.events) expect(e.progress).toBeGreaterThanOrEqual(0);
    await sub.stop();
  });

  it("lists the viewer's own exports only, newest first, 20 by default", async () => {
    const mine = await ok<{ exports: Exported[] }>(srv, `{ exports { id } }`, {}, editor.token);
    const ids = mine.exports.map((e) => uuid(e.id));
    const rows = await srv.server.db.query<Array<{ id: string }>>(
      `SELECT id FROM ticket_exports WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 20`,
      [uuid(editor.userId)],
    );
    expect(ids).toEqual(rows.map((r) => r.id));
    expect(ids.length).toBeGreaterThan(0);
  });
});

describe("downloads", () => {
  let done: Exported;
  beforeAll(async () => {
    done = await finished(admin, (await startExport(admin, { folder: "ALL" })).id);
  });

  it("a signed link works once, without any header; a second use is refused", async () => {
    const first = await fetchPath(pathOf(done.downloadUrl!));
    expect(first.status).toBe(200);
    expect((await first.text()).startsWith("ticket_id,")).toBe(true);
    const again = await fetchPath(pathOf(done.downloadUrl!));
    expect(again.status).toBe(404);
    // Every read of downloadUrl gives a fresh link.
    const { node } = await ok<{ node: Exported }>(srv, NODE, { id: done.id }, admin.token);
    expect(node.downloadUrl).not.toBe(done.downloadUrl);
    expect((await fetchPath(pathOf(node.downloadUrl!))).status).toBe(200);
  });

  it("refuses a forged or altered link, another export's link, and no credential at all, saying nothing more", async () => {
    const { node } = await ok<{ node: Exported }>(srv, NODE, { id: done.id }, admin.token);
    const link = pathOf(node.downloadUrl!);
    const forged = link.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    const forgedRes = await fetchPath(forged);
    expect(forgedRes.status).toBe(404);
    const body = await forgedRes.text();
    expect(body).not.toMatch(/signature|nonce|expired at|used at/i);
    const elsewhere = link.replace(uuid(done.id), "00000000-0000-4000-8000-000000000000");
    expect((await fetchPath(elsewhere)).status).toBe(404);
    expect((await fetchPath(bearerPath(done.id))).status).toBe(401);
    expect((await fetchPath(`/exports/..%2F..%2Fetc%2Fpasswd/download`, admin.token)).status).toBe(404);
    expect((await fetchPath(`/exports/${uuid(done.id)}.csv/download`, admin.token)).status).toBe(404);
  });

  it("a HEAD answers a link's headers without using it up", async () => {
    const { node } = await ok<{ node: Exported }>(srv, NODE, { id: done.id }, admin.token);
    const link = pathOf(node.downloadUrl!);
    const head = await fetch(`${srv.url}${link}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect((await fetchPath(link)).status).toBe(200);
    expect((await fetch(`${srv.url}${link}`, { method: "HEAD" })).status).toBe(404);
  });

  it("a link dies with its requester's right to export: demoted to agent, or removed", async () => {
    const leaving = await addMember(srv, admin.workspaceId, "EDITOR", "leaving");
    const exported = await finished(leaving, (await startExport(leaving, { folder: "ALL" })).id);
    const links = await Promise.all(
      [1, 2].map(async () => pathOf((await ok<{ node: Exported }>(srv, NODE, { id: exported.id }, leaving.token)).node.downloadUrl!)),
    );
    await updateMember(srv, admin.token, leaving.userId, { role: "AGENT" });
    expect((await fetchPath(links[0])).status).toBe(404);
    await updateMember(srv, admin.token, leaving.userId, { role: "EDITOR" });
    await removeMember(srv, admin.token, leaving.userId);
    expect((await fetchPath(links[1])).status).toBe(404);
  });

  it("with a bearer token: only the requester's own", async () => {
    expect((await fetchPath(bearerPath(done.id), admin.token)).status).toBe(200);
    expect((await fetchPath(bearerPath(done.id), editor.token)).status).toBe(404);
    expect((await fetchPath(bearerPath(done.id), agent.token)).status).toBe(404);
    expect((await fetchPath(bearerPath(done.id), other.token)).status).toBe(404);
    expect((await fetchPath(bearerPath(done.id), "not-a-token")).status).toBe(401);
  });

  it("expires after its retention: refused at once, then EXPIRED and its file deleted by the sweep", async () => {
    const expiring = await finished(admin, (await startExport(admin, { folder: "ALL" })).id);
    const link = pathOf(expiring.downloadUrl!);
    await srv.server.db.query(`UPDATE ticket_exports SET expires_at = now() - interval '1 second' WHERE id = $1`, [uuid(expiring.id)]);
    expect((await fetchPath(bearerPath(expiring.id), admin.token)).status).toBe(404);
    expect((await fetchPath(link)).status).toBe(404);
    let status = "";
    for (let i = 0; i < 100 && status !== "EXPIRED"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await ok<{ node: Exported }>(srv, NODE, { id: expiring.id }, admin.token)).node.status;
    }
    expect(status).toBe("EXPIRED");
    // The sweep marks the export EXPIRED, then deletes its file: give the deletion its moment.
    const file = path.join(exportDir, `${uuid(expiring.id)}.csv`);
    for (let i = 0; i < 100 && existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(file)).toBe(false);
    expect((await ok<{ node: Exported }>(srv, NODE, { id: expiring.id }, admin.token)).node.downloadUrl).toBeNull();
  });
});

describe("who may", () => {
  let adminExport: Exported;
  beforeAll(async () => {
    adminExport = await finished(admin, (await startExport(admin, { folder: "ALL" })).id);
  });

  it("agents: FORBIDDEN for exportTickets, exports and exportProgress", async () => {
    for (const [query, variables] of [
      [EXPORT, { i: { filter: {} } }],
      [EXPORTS, {}],
    ] as const) {
      const res = await srv.gql(query, variables, agent.token);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    }
    const sub = subscribe(srv.wsUrl, agent.token, PROGRESS, { variables: { id: adminExport.id } });
    await sub.finished();
    expect(JSON.stringify(sub.errors)).toContain("FORBIDDEN");
    await sub.stop();
    expect(await srv.server.db.query(`SELECT id FROM ticket_exports WHERE user_id = $1`, [uuid(agent.userId)])).toEqual([]);
  });

  it("another member, or another workspace: the export does not exist (NOT_FOUND)", async () => {
    for (const who of [editor, other]) {
      const res = await srv.gql<{ node: unknown }>(NODE, { id: adminExport.id }, who.token);
      expect(res.data?.node).toBeNull();
      expect(res.errors).toEqual([expect.objectContaining({ path: ["node"], extensions: { code: "NOT_FOUND" } })]);
      const sub = subscribe(srv.wsUrl, who.token, PROGRESS, { variables: { id: adminExport.id } });
      await sub.finished();
      expect(JSON.stringify(sub.errors)).toContain("NOT_FOUND");
      expect(sub.events).toEqual([]);
      await sub.stop();
      const listed = await ok<{ exports: Exported[] }>(srv, EXPORTS, {}, who.token);
      expect(listed.exports.map((e) => e.id)).not.toContain(adminExport.id);
    }
  });
});

describe("limits and failures", () => {
  it("at most 3 pending or running exports per member: TOO_MANY_EXPORTS", async () => {
    const member = uuid(editor.userId);
    const workspace = uuid(editor.workspaceId);
    const running = [
      "00000000-0000-4000-8000-0000000000a1",
      "00000000-0000-4000-8000-0000000000a2",
      "00000000-0000-4000-8000-0000000000a3",
    ];
    for (const id of running) {
      await srv.server.db.query(
        `INSERT INTO ticket_exports (id, workspace_id, user_id, filter, status, heartbeat_at) VALUES ($1, $2, $3, '{}', 'RUNNING', now() + interval '1 hour')`,
        [id, workspace, member],
      );
    }
    try {
      const res = await ok<{ exportTickets: { export: unknown; userErrors: Array<{ code: string }> } }>(
        srv,
        EXPORT,
        { i: { filter: {} } },
        editor.token,
      );
      expect(res.exportTickets).toMatchObject({ export: null, userErrors: [{ code: "TOO_MANY_EXPORTS" }] });
      // Another member is not held back by the editor's.
      await startExport(admin, { folder: "ALL" });
    } finally {
      await srv.server.db.query(`DELETE FROM ticket_exports WHERE id = ANY($1)`, [running]);
    }
  });

  it("an export interrupted by a stopped server is marked FAILED by the sweep, with a short reason", async () => {
    const id = "00000000-0000-4000-8000-0000000000b1";
    await srv.server.db.query(
      `INSERT INTO ticket_exports (id, workspace_id, user_id, filter, status, heartbeat_at) VALUES ($1, $2, $3, '{}', 'RUNNING', now() - interval '1 hour')`,
      [id, uuid(admin.workspaceId), uuid(admin.userId)],
    );
    writeFileSync(path.join(exportDir, `${id}.csv.part`), "ticket_id\r\n");
    let node: Exported | undefined;
    for (let i = 0; i < 100 && node?.status !== "FAILED"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      node = (await ok<{ node: Exported }>(srv, NODE, { id: toGlobalId("TicketExport", id) }, admin.token)).node;
    }
    expect(node).toMatchObject({ status: "FAILED", error: INTERRUPTED_MESSAGE, downloadUrl: null });
    // The sweep removes the partial file right after it marks the export.
    for (let i = 0; i < 100 && existsSync(path.join(exportDir, `${id}.csv.part`)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(path.join(exportDir, `${id}.csv.part`))).toBe(false);
  });

  it("a failure writes FAILED with a short error, no partial file, and frees its place", async () => {
    // The export folder cannot be written: a file stands where it should be.
    rmSync(exportDir, { recursive: true, force: true });
    writeFileSync(exportDir, "not a folder");
    try {
      const failed = await finished(editor, (await startExport(editor, { folder: "ALL" })).id);
      expect(failed.status).toBe("FAILED");
      expect(failed.error).toMatch(/^The export's file could not be written/);
      expect(failed.error).not.toMatch(/ENOTDIR|EEXIST|\/tmp|at /);
      expect(failed.downloadUrl).toBeNull();
    } finally {
      rmSync(exportDir, { force: true });
    }
    const recovered = await finished(editor, (await startExport(editor, { folder: "ALL" })).id);
    expect(recovered.status).toBe("DONE");
    expect(readdirSync(exportDir).filter((f) => f.endsWith(".part"))).toEqual([]);
  });
});

/** Opens `count` tickets, one after another, on a spawned server. */
async function openTicketsOn(url: string, token: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await call(url, `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } } }`, { i: { contactUrn: newUrn() } }, token);
  }
}

describe("on the embedded database", () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "handover-embedded-exports-"));
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("exports, follows and downloads the same way", async () => {
    let token: string;
    ({ server, token } = await spawnAsAdministrator({
      DATABASE_URL: undefined,
      DATA_DIR: dataDir,
      EXPORT_PAGE_SIZE: "1",
    }));
    const origin = new URL(server.url).origin;
    await openTicketsOn(server.url, token, 3);
    const started = await call<{ exportTickets: { export: Exported } }>(server.url, EXPORT, { i: { filter: { folder: "ALL" } } }, token);
    const sub = subscribe<{ exportProgress: Exported }>(server.wsUrl, token, PROGRESS, {
      variables: { id: started.exportTickets.export.id },
    });
    await sub.finished();
    expect(sub.errors).toEqual([]);
    const last = sub.events[sub.events.length - 1];
    expect(last).toMatchObject({ status: "DONE", rowCount: 3, progress: 1 });
    await sub.stop();
    const res = await fetch(`${origin}${pathOf(last.downloadUrl!)}`);
    expect(res.status).toBe(200);
    expect(parseCsv(await res.text())).toHaveLength(4);
    expect((await fetch(`${origin}${pathOf(last.downloadUrl!)}`)).status).toBe(404);
    expect(existsSync(path.join(dataDir, "exports", `${uuid(last.id)}.csv`))).toBe(true);
  }, 60_000);
});

describe("a server stopped mid-export", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    db = await createTestDatabase("exportstop");
    dataDir = mkdtempSync(path.join(tmpdir(), "handover-export-stop-"));
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("on SIGTERM marks the running export FAILED at once, removes its partial file and exits cleanly", async () => {
    let token: string;
    ({ server, token } = await spawnAsAdministrator({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      EXPORT_PAGE_SIZE: "1",
    }));
    await openTicketsOn(server.url, token, 400);
    const started = await call<{ exportTickets: { export: Exported } }>(server.url, EXPORT, { i: { filter: { folder: "ALL" } } }, token);
    const id = started.exportTickets.export.id;
    // Running: its file being written (a page of one ticket at a time).
    for (;;) {
      const { node } = await call<{ node: Exported }>(
        server.url,
        `query($id: ID!) { node(id: $id) { ... on TicketExport { id status rowCount } } }`,
        { id },
        token,
      );
      if (node.status === "RUNNING") break;
      expect(node.status).not.toBe("DONE");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await server.stop("SIGTERM")).toBe(0);
    const check = new pg.Client({ connectionString: db.url });
    await check.connect();
    try {
      const { rows } = await check.query<{ status: string; error: string }>(`SELECT status, error FROM ticket_exports WHERE id = $1`, [
        uuid(id),
      ]);
      expect(rows).toEqual([{ status: "FAILED", error: INTERRUPTED_MESSAGE }]);
    } finally {
      await check.end();
    }
    expect(readdirSync(path.join(dataDir, "exports")).filter((f) => f.endsWith(".csv") || f.endsWith(".part"))).toEqual([]);
  }, 120_000);
});
