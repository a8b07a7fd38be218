/**
 * The invariants every test that hammers the server checks afterwards, through SQL and through
 * the API: counts exact, one open ticket per contact, each ticket's events versions 1..n with
 * one event each, and the event log complete and in order as a reader of ticketEvents sees it.
 */

/** Runs SQL on the server's database (the harness's DataSource, or a pg client). */
export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

/** Runs a GraphQL operation on the server; returns the parsed body. */
export type Gql = <T>(
  query: string,
  variables: Record<string, unknown>,
  token: string,
) => Promise<{ data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>;

export interface WorkspaceAdmin {
  /** The workspace's uuid. */
  workspaceUuid: string;
  /** An administrator's token there (sees every topic). */
  token: string;
  /** That administrator's user uuid (for the MINE folder). */
  userUuid: string;
}

export interface InvariantFigures {
  tickets: number;
  openTickets: number;
  events: number;
}

type KeyRow = { workspace_id: string; status: string; topic_id: string; assignee_id: string | null; n: string };

const fromGlobal = (id: string): string => Buffer.from(id, "base64").toString("utf8").split(":")[1] ?? "";

async function api<T>(gql: Gql, query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const res = await gql<T>(query, variables, token);
  if (res.errors || !res.data) throw new Error(`invariant query failed: ${JSON.stringify(res.errors ?? res)}`);
  return res.data;
}

/** The database's own view, over every workspace. */
export async function checkDatabaseInvariants(sql: Sql): Promise<InvariantFigures> {
  // Counts: the delta rows sum to exactly what the tickets table holds, per key.
  const counted = await sql<KeyRow>(
    `SELECT workspace_id, status, topic_id, assignee_id, count(*)::text AS n FROM tickets GROUP BY 1, 2, 3, 4`,
  );
  const kept = await sql<KeyRow>(
    `SELECT workspace_id, status, topic_id, assignee_id, sum(delta)::text AS n FROM ticket_count_deltas
      GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0`,
  );
  const key = (r: KeyRow) => `${r.workspace_id}|${r.status}|${r.topic_id}|${r.assignee_id}|${r.n}`;
  expect(kept.map(key).sort()).toEqual(counted.map(key).sort());

  // At most one open ticket per contact.
  expect(await sql(`SELECT contact_id FROM tickets WHERE status = 'OPEN' GROUP BY contact_id HAVING count(*) > 1`)).toEqual([]);

  // Versions 1..n, one event each (a ticket without events is caught by the left join).
  const gaps = await sql(
    `SELECT t.id, t.version, count(e.id)::int AS events, count(DISTINCT e.ticket_version)::int AS versions,
            min(e.ticket_version) AS lo, max(e.ticket_version) AS hi
       FROM tickets t LEFT JOIN ticket_events e ON e.ticket_id = t.id
      GROUP BY t.id, t.version
     HAVING count(e.id) <> t.version OR count(DISTINCT e.ticket_version) <> t.version
         OR min(e.ticket_version) <> 1 OR max(e.ticket_version) <> t.version`,
  );
  expect(gaps).toEqual([]);

  // An event's ticket and workspace agree.
  expect(await sql(`SELECT e.id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.workspace_id <> t.workspace_id`)).toEqual(
    [],
  );

  const [figures] = await sql<{ tickets: number; open: number; events: number }>(
    `SELECT (SELECT count(*)::int FROM tickets) AS tickets, (SELECT count(*)::int FROM tickets WHERE status = 'OPEN') AS open,
            (SELECT count(*)::int FROM ticket_events) AS events`,
  );
  return { tickets: figures.tickets, openTickets: figures.open, events: figures.events };
}

const COUNTS = `{ ticketCounts { folders { folder open closed } topics { id openCount } }
  contactGroups { isSystem count } }`;
const TOTAL = `query($f: TicketFilter) { tickets(filter: $f, first: 1) { totalCount } }`;
const EVENTS = `query($after: String) { ticketEvents(after: $after, first: 100) {
  edges { cursor node { id ticketVersion ticket { id } } } pageInfo { hasNextPage endCursor } } }`;

/** Orders "txId.seq" cursors numerically. */
export function compareCursors(a: string, b: string): number {
  const [at, as] = a.split(".").map(BigInt);
  const [bt, bs] = b.split(".").map(BigInt);
  return at !== bt ? (at < bt ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

export interface LogEvent {
  id: string;
  cursor: string;
  ticketId: string;
  ticketVersion: number;
}

/** An event the ticketEvents subscription delivers, as the log holds it. */
export function logEventOf(event: { id: string; cursor: string; ticketVersion: number; ticket: { id: string } }): LogEvent {
  return { id: fromGlobal(event.id), cursor: event.cursor, ticketId: fromGlobal(event.ticket.id), ticketVersion: event.ticketVersion };
}

/** Reads a workspace's whole event log through ticketEvents, page by page, oldest first. */
export async function readEventLog(
  gql: Gql,
  token: string,
  after: string | null = null,
): Promise<{ events: LogEvent[]; end: string | null }> {
  const events: LogEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = await api<{
      ticketEvents: {
        edges: Array<{ cursor: string; node: { id: string; ticketVersion: number; ticket: { id: string } } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    }>(gql, EVENTS, { after: cursor }, token);
    for (const e of page.ticketEvents.edges) {
      events.push({
        id: fromGlobal(e.node.id),
        cursor: e.cursor,
        ticketId: fromGlobal(e.node.ticket.id),
        ticketVersion: e.node.ticketVersion,
      });
    }
    cursor = page.ticketEvents.pageInfo.endCursor;
    if (!page.ticketEvents.pageInfo.hasNextPage) return { events, end: cursor };
  }
}

/**
 * Checks that a sequence of events read from the log is in strictly increasing cursor order,
 * has no duplicate, and shows each ticket's versions in increasing order (one ticket's changes
 * commit one after the other, so commit order puts them in version order).
 */
export function expectOrderedLog(events: LogEvent[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  const lastVersion = new Map<string, number>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (seen.has(e.id)) problems.push(`event ${e.id} delivered twice`);
    seen.add(e.id);
    if (i > 0 && compareCursors(events[i - 1].cursor, e.cursor) >= 0) {
      problems.push(`cursor ${e.cursor} after ${events[i - 1].cursor}`);
    }
    const previous = lastVersion.get(e.ticketId) ?? 0;
    if (e.ticketVersion <= previous) problems.push(`ticket ${e.ticketId} version ${e.ticketVersion} after ${previous}`);
    lastVersion.set(e.ticketId, e.ticketVersion);
  }
  expect(problems.slice(0, 20)).toEqual([]);
}

/**
 * What an administrator of the workspace reads through the API agrees with COUNT(*) over the
 * tables: folder counts, topic open counts, folder list totals and the Open Tickets group; and
 * the whole event log reads back exactly the workspace's events, in order.
 */
export async function checkApiInvariants(sql: Sql, gql: Gql, ws: WorkspaceAdmin): Promise<{ events: LogEvent[] }> {
  const rows = await sql<{ status: string; topic_id: string; assignee_id: string | null; n: number }>(
    `SELECT status, topic_id, assignee_id, count(*)::int AS n FROM tickets WHERE workspace_id = $1 GROUP BY 1, 2, 3`,
    [ws.workspaceUuid],
  );
  const sum = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).reduce((a, r) => a + r.n, 0);
  const folderCounts = (where: (r: (typeof rows)[number]) => boolean) => ({
    open: sum((r) => where(r) && r.status === "OPEN"),
    closed: sum((r) => where(r) && r.status === "CLOSED"),
  });
  const expected = {
    ALL: folderCounts(() => true),
    UNASSIGNED: folderCounts((r) => r.assignee_id === null),
    MINE: folderCounts((r) => r.assignee_id === ws.userUuid),
  };

  const counts = await api<{
    ticketCounts: {
      folders: Array<{ folder: "ALL" | "UNASSIGNED" | "MINE"; open: number; closed: number }>;
      topics: Array<{ id: string; openCount: number }>;
    };
    contactGroups: Array<{ isSystem: boolean; count: number }>;
  }>(gql, COUNTS, {}, ws.token);
  for (const f of counts.ticketCounts.folders)
    expect({ folder: f.folder, open: f.open, closed: f.closed }).toEqual({ folder: f.folder, ...expected[f.folder] });
  expect(counts.ticketCounts.folders.map((f) => f.folder).sort()).toEqual(["ALL", "MINE", "UNASSIGNED"]);
  for (const t of counts.ticketCounts.topics) {
    const topic = fromGlobal(t.id);
    expect({ topic, open: t.openCount }).toEqual({ topic, open: sum((r) => r.topic_id === topic && r.status === "OPEN") });
  }

  // Folder list totals, for every folder and status, and per topic.
  const filters: Array<{ f: Record<string, unknown>; n: number }> = [];
  for (const folder of ["ALL", "UNASSIGNED", "MINE"] as const) {
    filters.push({ f: { folder, status: "OPEN" }, n: expected[folder].open });
    filters.push({ f: { folder, status: "CLOSED" }, n: expected[folder].closed });
    filters.push({ f: { folder, status: null }, n: expected[folder].open + expected[folder].closed });
  }
  for (const t of counts.ticketCounts.topics) {
    const topic = fromGlobal(t.id);
    filters.push({ f: { folder: "ALL", status: null, topicId: t.id }, n: sum((r) => r.topic_id === topic) });
  }
  for (const { f, n } of filters) {
    const res = await api<{ tickets: { totalCount: number | null } }>(gql, TOTAL, { f }, ws.token);
    expect({ filter: f, totalCount: res.tickets.totalCount }).toEqual({ filter: f, totalCount: n });
  }

  const [{ contacts }] = await sql<{ contacts: number }>(
    `SELECT count(DISTINCT contact_id)::int AS contacts FROM tickets WHERE workspace_id = $1 AND status = 'OPEN'`,
    [ws.workspaceUuid],
  );
  expect(counts.contactGroups.filter((g) => g.isSystem).map((g) => g.count)).toEqual([contacts]);

  // The log read through the API is the table's events of the workspace, each once, in order.
  // Delivery waits for every older transaction on the PostgreSQL server (other databases
  // included), so a transaction elsewhere may hold the tail back for a moment: read until whole.
  const stored = (await sql<{ id: string }>(`SELECT id FROM ticket_events WHERE workspace_id = $1`, [ws.workspaceUuid]))
    .map((r) => r.id)
    .sort();
  let log = await readEventLog(gql, ws.token);
  for (let attempt = 0; attempt < 100 && log.events.length < stored.length; attempt++) {
    await new Promise((r) => setTimeout(r, 100));
    const more = await readEventLog(gql, ws.token, log.end);
    log = { events: [...log.events, ...more.events], end: more.end };
  }
  expectOrderedLog(log.events);
  expect(log.events.map((e) => e.id).sort()).toEqual(stored);
  return { events: log.events };
}
