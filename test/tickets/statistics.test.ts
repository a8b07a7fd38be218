import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { rebuildStatistics, squashStatistics } from "../../src/services/statistics/record";
import { addMember, createTopic, newUrn, ok, openTicket, team, updateMember, uuid } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { call, type ServerProcess, spawnAsAdministrator } from "../support/server-process";
import { connection } from "../support/subscriber";

/**
 * ticketStatistics: kept with each write, per day in the workspace's time zone. After a few
 * hundred random operations across two time zone changes and a daylight saving boundary, every
 * grouping equals what a scan of the event log counts, for each kind of reader.
 */

const STATS = `query($since: DateTime!, $until: DateTime!, $groupBy: [StatisticsGrouping!]!) {
  ticketStatistics(since: $since, until: $until, groupBy: $groupBy) {
    since until timezone
    rows {
      period topic { id } assignee { id } opened closed assigned replies
      firstReply { count averageSeconds medianSeconds p90Seconds }
      resolution { count averageSeconds medianSeconds p90Seconds }
    }
  }
}`;

interface Summary {
  count: number;
  averageSeconds: number | null;
  medianSeconds: number | null;
  p90Seconds: number | null;
}
interface Row {
  period: string | null;
  topic: { id: string } | null;
  assignee: { id: string } | null;
  opened: number;
  closed: number;
  assigned: number;
  replies: number;
  firstReply: Summary;
  resolution: Summary;
}
type Grouping = "DAY" | "WEEK" | "MONTH" | "TOPIC" | "ASSIGNEE";

let srv: TestServer;
let admin: SignedUp;
let editor: SignedUp;
let agent: SignedUp;
let teamAgent: SignedUp;
let topicA: string;
let topicB: string;
let general: string;

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

beforeAll(async () => {
  srv = await startTestServer();
  ({ admin, editor, agent } = await team(srv));
  teamAgent = await addMember(srv, admin.workspaceId, "AGENT", "teamagent");
  topicA = await createTopic(srv, admin.token, "Billing");
  topicB = await createTopic(srv, admin.token, "Delivery");
  const topics = await ok<{ topics: Array<{ id: string; isSystem: boolean }> }>(srv, `{ topics { id isSystem } }`, {}, admin.token);
  general = topics.topics.find((t) => t.isSystem)!.id;
  const created = await ok<{ createTeam: { team: { id: string } } }>(
    srv,
    `mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } } }`,
    { i: { name: "Billing desk", topicIds: [topicA] } },
    admin.token,
  );
  await updateMember(srv, admin.token, teamAgent.userId, { teamId: created.createTeam.team.id });
});
afterAll(() => srv.close());

const stats = async (token: string, groupBy: Grouping[], since: Date, until: Date) =>
  (
    await ok<{ ticketStatistics: { since: string; until: string; timezone: string; rows: Row[] } }>(
      srv,
      STATS,
      { since: since.toISOString(), until: until.toISOString(), groupBy },
      token,
    )
  ).ticketStatistics;

describe("ticketStatistics against a scan of the event log", () => {
  /** When each time zone came into force, in order. */
  const zones: Array<{ from: number; zone: string }> = [{ from: 0, zone: "Pacific/Kiritimati" }];
  let dstStart = 0;

  /** The members who act, by token; the first is who opens tickets. */
  let actors: SignedUp[];
  const tickets: Array<{ id: string; urn: string; open: boolean }> = [];

  async function randomOperation(next: () => number): Promise<void> {
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)];
    const roll = next();
    const open = tickets.filter((t) => t.open);
    if (roll < 0.2 || open.length === 0) {
      const urn = newUrn();
      const assignee = next() < 0.3 ? pick(actors).userId : undefined;
      const ticket = await openTicket(srv, admin.token, {
        contactUrn: urn,
        topicId: pick([topicA, topicB, general]),
        assigneeId: assignee,
      });
      tickets.push({ id: ticket.id, urn, open: true });
      return;
    }
    const ticket = pick(open);
    const closed = tickets.filter((t) => !t.open);
    if (roll < 0.35) {
      await ok(
        srv,
        `mutation($i: AssignTicketsInput!) { assignTickets(input: $i) { failures { code } } }`,
        {
          i: { ticketIds: [ticket.id], assigneeId: next() < 0.2 ? null : pick(actors).userId },
        },
        admin.token,
      );
    } else if (roll < 0.6) {
      await ok(
        srv,
        `mutation($i: SendMessageInput!) { sendMessage(input: $i) { userErrors { code } } }`,
        {
          i: { ticketId: ticket.id, text: "On it." },
        },
        pick(actors.filter((a) => a !== teamAgent)).token,
      );
    } else if (roll < 0.68) {
      await ok(
        srv,
        `mutation($i: ReceiveMessageInput!) { receiveMessage(input: $i) { userErrors { code } } }`,
        {
          i: { urn: ticket.urn, text: "Any news?" },
        },
        admin.token,
      );
    } else if (roll < 0.74) {
      await ok(
        srv,
        `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { failures { code } } }`,
        {
          i: { ticketIds: [ticket.id], note: "checked" },
        },
        admin.token,
      );
    } else if (roll < 0.8) {
      await ok(
        srv,
        `mutation($i: ChangeTicketTopicInput!) { changeTicketTopic(input: $i) { failures { code } } }`,
        {
          i: { ticketIds: [ticket.id], topicId: pick([topicA, topicB, general]) },
        },
        admin.token,
      );
    } else if (roll < 0.93 || closed.length === 0) {
      await ok(
        srv,
        `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { failures { code } } }`,
        { i: { ticketIds: [ticket.id] } },
        admin.token,
      );
      ticket.open = false;
    } else {
      const again = pick(closed);
      // Reopening fails when the contact has another ticket open: then nothing happens, as the log shows.
      const res = await ok<{ reopenTickets: { failures: unknown[] } }>(
        srv,
        `mutation($i: ReopenTicketsInput!) { reopenTickets(input: $i) { failures { code } } }`,
        { i: { ticketIds: [again.id] } },
        admin.token,
      );
      if (res.reopenTickets.failures.length === 0) again.open = true;
    }
  }

  /** The figures a scan of the workspace's event log gives, for the zone in force at each event. */
  async function scan(): Promise<Fact[]> {
    const events = await srv.server.db.query<
      Array<{ ticket_id: string; v: number; type: string; actor_id: string | null; topic_id: string; assignee_id: string | null; at: Date }>
    >(
      `SELECT ticket_id, ticket_version AS v, type, actor_id, topic_id, assignee_id, created_at AS at
         FROM ticket_events WHERE workspace_id = $1 ORDER BY ticket_id, ticket_version`,
      [uuid(admin.workspaceId)],
    );
    const raw: Array<{ at: Date; dayOf: Date; topic: string; member: string | null; figure: string; seconds?: number }> = [];
    let state = { ticket: "", openedAt: new Date(0), assignee: null as string | null, everAssigned: false, replied: false };
    for (const e of events) {
      if (e.ticket_id !== state.ticket)
        state = { ticket: e.ticket_id, openedAt: e.at, assignee: null, everAssigned: false, replied: false };
      const fact = (figure: string, member: string | null, dayOf = e.at, seconds?: number) =>
        raw.push({ at: e.at, dayOf, topic: e.topic_id, member, figure, seconds });
      if (e.type === "OPENED" || e.type === "ASSIGNED") {
        state.assignee = e.assignee_id;
        if (e.type === "OPENED") fact("OPENED", null);
        if (e.assignee_id && !state.everAssigned) fact("ASSIGNED", e.assignee_id);
        if (e.assignee_id) state.everAssigned = true;
      }
      if (e.type === "MESSAGE_SENT" && e.actor_id) {
        fact("REPLIED", e.actor_id);
        if (!state.replied) fact("FIRST_REPLY", e.actor_id, state.openedAt, (e.at.getTime() - state.openedAt.getTime()) / 1000);
        state.replied = true;
      }
      if (e.type === "CLOSED") {
        fact("CLOSED", state.assignee);
        fact("RESOLUTION", state.assignee, e.at, (e.at.getTime() - state.openedAt.getTime()) / 1000);
      }
    }
    // The calendar of each zone, as the database keeps it (IANA names and the POSIX rule alike).
    const zoneAt = (t: Date) => [...zones].reverse().find((z) => t.getTime() >= z.from)!.zone;
    const days = await srv.server.db.query<Array<{ day: string; week: string; month: string }>>(
      `SELECT to_char(d, 'YYYY-MM-DD') AS day, to_char(d, 'IYYY-"W"IW') AS week, to_char(d, 'YYYY-MM') AS month
         FROM unnest($1::timestamptz[], $2::text[]) WITH ORDINALITY AS x(at, zone, i), LATERAL (SELECT (x.at AT TIME ZONE x.zone)::date AS d) l
        ORDER BY x.i`,
      [raw.map((f) => f.dayOf), raw.map((f) => zoneAt(f.at))],
    );
    return raw.map((f, i) => ({ ...f, ...days[i] }));
  }

  interface Fact {
    day: string;
    week: string;
    month: string;
    topic: string;
    member: string | null;
    figure: string;
    seconds?: number;
  }

  /** Nearest rank, as the API documents. */
  const exactQuantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.max(1, Math.ceil(q * values.length)) - 1];

  function expectClose(estimate: number | null, exact: number | undefined): void {
    if (exact === undefined) return expect(estimate).toBeNull();
    expect(estimate).not.toBeNull();
    // The same log-spaced bucket as the exact value: within 25%, or within a second below one.
    expect(Math.abs(estimate! - exact)).toBeLessThanOrEqual(Math.max(1, exact * 0.25) + 1e-9);
  }

  /** Compares the API's rows with the facts grouped the same way (rows without any figure are left out). */
  function compare(rows: Row[], facts: Fact[], groupBy: Grouping[], label = groupBy.join("+")): void {
    const period = (f: Fact) =>
      groupBy.includes("DAY") ? f.day : groupBy.includes("WEEK") ? f.week : groupBy.includes("MONTH") ? f.month : null;
    const keyOf = (p: string | null, topic: string | null, member: string | null) => `${p}|${topic}|${member}`;
    const expected = new Map<string, Fact[]>();
    for (const f of facts) {
      const key = keyOf(period(f), groupBy.includes("TOPIC") ? f.topic : null, groupBy.includes("ASSIGNEE") ? f.member : null);
      expected.set(key, [...(expected.get(key) ?? []), f]);
    }
    const nonEmpty = rows.filter((r) => r.opened + r.closed + r.assigned + r.replies + r.firstReply.count + r.resolution.count > 0);
    const got = new Map(
      nonEmpty.map((r) => [keyOf(r.period, r.topic ? uuid(r.topic.id) : null, r.assignee ? uuid(r.assignee.id) : null), r] as const),
    );
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, group] of expected) {
      const row = got.get(key)!;
      const count = (figure: string) => group.filter((f) => f.figure === figure).length;
      expect({ key: `${label} ${key}`, opened: row.opened, closed: row.closed, assigned: row.assigned, replies: row.replies }).toEqual({
        key: `${label} ${key}`,
        opened: count("OPENED"),
        closed: count("CLOSED"),
        assigned: count("ASSIGNED"),
        replies: count("REPLIED"),
      });
      for (const [figure, summary] of [
        ["FIRST_REPLY", row.firstReply],
        ["RESOLUTION", row.resolution],
      ] as const) {
        const values = group.filter((f) => f.figure === figure).map((f) => f.seconds!);
        expect(summary.count).toBe(values.length);
        if (values.length === 0) {
          expect(summary).toEqual({ count: 0, averageSeconds: null, medianSeconds: null, p90Seconds: null });
          continue;
        }
        expect(summary.averageSeconds!).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 2);
        expectClose(summary.medianSeconds, exactQuantile(values, 0.5));
        expectClose(summary.p90Seconds, exactQuantile(values, 0.9));
      }
    }
  }

  const GROUPINGS: Grouping[][] = [
    [],
    ["DAY"],
    ["WEEK"],
    ["MONTH"],
    ["TOPIC"],
    ["ASSIGNEE"],
    ["DAY", "TOPIC"],
    ["WEEK", "ASSIGNEE"],
    ["DAY", "TOPIC", "ASSIGNEE"],
  ];
  /**
   * Days around now: a few (no whole month: every row read is a day's), and forty (whole months
   * inside: those are read from their month's rows, the edges from days').
   */
  const windows = () =>
    [4, 40].map((days) => ({ since: new Date(Date.now() - days * 86_400_000), until: new Date(Date.now() + days * 86_400_000) }));

  async function expectScanned(): Promise<void> {
    const facts = await scan();
    for (const window of windows()) await expectScannedIn(facts, window.since, window.until);
  }

  async function expectScannedIn(facts: Fact[], since: Date, until: Date): Promise<void> {
    for (const groupBy of GROUPINGS) compare((await stats(admin.token, groupBy, since, until)).rows, facts, groupBy);
    // An agent with a team: the same, of the team's topics only.
    for (const groupBy of [["DAY"], ["ASSIGNEE"], ["TOPIC"]] as Grouping[][]) {
      const rows = (await stats(teamAgent.token, groupBy, since, until)).rows;
      compare(
        rows,
        facts.filter((f) => f.topic === uuid(topicA)),
        groupBy,
      );
      expect(rows.every((r) => r.topic === null || r.topic.id === topicA)).toBe(true);
    }
    // An agent without a team: their own figures.
    for (const groupBy of [[], ["DAY"], ["TOPIC"]] as Grouping[][]) {
      compare(
        (await stats(agent.token, groupBy, since, until)).rows,
        facts.filter((f) => f.member === uuid(agent.userId)),
        groupBy,
      );
    }
  }

  it("counts what the log holds, across time zone changes and a daylight saving boundary", async () => {
    actors = [admin, editor, agent, teamAgent];
    const next = random(20261203);
    await ok(
      srv,
      `mutation($i: UpdateWorkspaceInput!) { updateWorkspace(input: $i) { userErrors { code } } }`,
      {
        i: { timezone: "Pacific/Kiritimati" },
      },
      admin.token,
    );
    for (let i = 0; i < 120; i++) await randomOperation(next);

    // Fourteen hours ahead of UTC, then eleven behind: every day of the log moves.
    await ok(
      srv,
      `mutation($i: UpdateWorkspaceInput!) { updateWorkspace(input: $i) { userErrors { code } } }`,
      {
        i: { timezone: "Pacific/Pago_Pago" },
      },
      admin.token,
    );
    zones.push({ from: Date.now(), zone: "Pacific/Pago_Pago" });
    for (let i = 0; i < 120; i++) await randomOperation(next);

    // A zone whose daylight saving time (twelve hours ahead) starts two seconds from now: the
    // boundary falls among the operations. A POSIX rule, which PostgreSQL reads as it reads IANA
    // names; the API only sets names, so it is written directly.
    const start = new Date(Date.now() + 2000);
    const jan1 = Date.UTC(start.getUTCFullYear(), 0, 1);
    const leap = new Date(Date.UTC(start.getUTCFullYear(), 1, 29)).getUTCMonth() === 1;
    let julian = Math.floor((start.getTime() - jan1) / 86_400_000) + 1;
    if (leap && start.getUTCMonth() > 1) julian -= 1;
    const at = start.toISOString().slice(11, 19);
    const rule = `STD0DST-12,J${julian}/${at},J${(julian % 365) + 1}/23:59:59`;
    await srv.server.db.query(`UPDATE workspaces SET timezone = $2 WHERE id = $1`, [uuid(admin.workspaceId), rule]);
    zones.push({ from: Date.now(), zone: rule });
    dstStart = start.getTime();
    const [offsets] = await srv.server.db.query<Array<{ jump: string }>>(
      `SELECT ((($1::timestamptz + interval '1 second') AT TIME ZONE $2) - (($1::timestamptz - interval '1 second') AT TIME ZONE $2))::text AS jump`,
      [start, rule],
    );
    expect(offsets.jump).toBe("12:00:02");
    let before = 0;
    let after = 0;
    while (after < 60) {
      await randomOperation(next);
      if (Date.now() < dstStart) before += 1;
      else after += 1;
    }
    expect(before).toBeGreaterThan(0);

    await expectScanned();
    // Folding the deltas (into each day's and each month's row) changes no figure.
    while ((await squashStatistics(srv.server.db, 500)) > 0);
    const [left] = await srv.server.db.query<Array<{ deltas: string; days: string; months: string }>>(
      `SELECT (SELECT count(*) FROM ticket_statistic_deltas WHERE workspace_id = $1) AS deltas,
              (SELECT count(*) FROM ticket_statistics WHERE workspace_id = $1 AND span = 'DAY') AS days,
              (SELECT count(*) FROM ticket_statistics WHERE workspace_id = $1 AND span = 'MONTH') AS months`,
      [uuid(admin.workspaceId)],
    );
    expect(Number(left.deltas)).toBe(0);
    expect(Number(left.days)).toBeGreaterThan(Number(left.months));
    await expectScanned();

    // A rebuild recounts the whole log in the zone in force now.
    await rebuildStatistics(srv.server.db, uuid(admin.workspaceId));
    zones.splice(0, zones.length, { from: 0, zone: rule });
    await expectScanned();
  }, 120_000);

  it("answers a series with every period of the range, in the workspace's zone, and its bounds", async () => {
    await ok(
      srv,
      `mutation($i: UpdateWorkspaceInput!) { updateWorkspace(input: $i) { userErrors { code } } }`,
      {
        i: { timezone: "America/New_York" },
      },
      admin.token,
    );
    // 1 to 8 March 2026 in New York: daylight saving time starts on the 8th.
    const since = new Date("2026-03-01T05:00:00Z");
    const until = new Date("2026-03-09T04:00:00Z");
    const days = await stats(editor.token, ["DAY"], since, until);
    expect(days.timezone).toBe("America/New_York");
    expect(days.rows.map((r) => r.period)).toEqual(["01", "02", "03", "04", "05", "06", "07", "08"].map((d) => `2026-03-${d}`));
    expect(new Date(days.since).getTime()).toBe(since.getTime());
    const weeks = await stats(editor.token, ["WEEK"], since, until);
    expect(weeks.rows.map((r) => r.period)).toEqual(["2026-W09", "2026-W10"]);
    const months = await stats(editor.token, ["MONTH"], new Date("2025-12-31T12:00:00Z"), new Date("2026-02-01T05:00:00Z"));
    expect(months.rows.map((r) => r.period)).toEqual(["2025-12", "2026-01"]);
    const total = await stats(agent.token, [], since, until);
    expect(total.rows).toHaveLength(1);
    expect(total.rows[0]).toMatchObject({ period: null, topic: null, assignee: null, opened: 0 });
  });
});

describe("ticketStatistics: input and isolation", () => {
  const since = new Date("2026-01-01T00:00:00Z");

  it("refuses a range that is empty, backwards or longer than 732 days, and two periods, naming the argument", async () => {
    const cases: Array<[Grouping[], Date, Date, string]> = [
      [["DAY"], since, since, "until"],
      [["DAY"], since, new Date("2025-01-01T00:00:00Z"), "until"],
      [["MONTH"], since, new Date("2028-01-10T00:00:00Z"), "until"],
      [["DAY", "MONTH"], since, new Date("2026-02-01T00:00:00Z"), "groupBy"],
    ];
    for (const [groupBy, from, to, field] of cases) {
      const res = await srv.gql(STATS, { since: from.toISOString(), until: to.toISOString(), groupBy }, admin.token);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
    const bad = await srv.gql(STATS, { since: "yesterday", until: since.toISOString(), groupBy: [] }, admin.token);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "since" });
    const unknown = await srv.gql(
      STATS,
      { since: since.toISOString(), until: new Date().toISOString(), groupBy: ["DAY", "YEAR"] },
      admin.token,
    );
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "groupBy.1" });
  });

  it("shows another workspace nothing of this one's", async () => {
    const other = await srv.signUp();
    await openTicket(srv, other.token, {});
    const now = Date.now();
    const mine = await stats(admin.token, [], new Date(now - 86_400_000), new Date(now + 86_400_000));
    const theirs = await stats(other.token, ["TOPIC"], new Date(now - 86_400_000), new Date(now + 86_400_000));
    expect(theirs.rows).toHaveLength(1);
    expect(theirs.rows[0].opened).toBe(1);
    expect(mine.rows[0].opened).toBeGreaterThan(1);
  });

  it("answers over WebSocket as over HTTP, for the team agent's topics only", async () => {
    await openTicket(srv, admin.token, { topicId: topicA });
    await openTicket(srv, admin.token, { topicId: topicB });
    const now = Date.now();
    const variables = {
      since: new Date(now - 86_400_000).toISOString(),
      until: new Date(now + 86_400_000).toISOString(),
      groupBy: ["TOPIC"],
    };
    const overHttp = await ok(srv, STATS, variables, teamAgent.token);
    const socket = connection(srv.wsUrl, teamAgent.token);
    try {
      expect(await socket.connected()).toBe(true);
      const overSocket = await new Promise<unknown>((resolve, reject) => {
        let result: unknown;
        socket.client.subscribe(
          { query: STATS, variables },
          { next: (r) => (result = r.data), error: reject, complete: () => resolve(result) },
        );
      });
      expect(overSocket).toEqual(overHttp);
      const rows = (overSocket as { ticketStatistics: { rows: Row[] } }).ticketStatistics.rows;
      expect(rows.map((r) => r.topic?.id)).toEqual([topicA]);
    } finally {
      await socket.stop();
    }
  });

  it("refuses a reading of more than 2,000 rows or 50,000 stored rows before summing it, and counts each as 10,000 toward the query cost", async () => {
    // A busy desk's month, written as the squasher leaves it: 80 members a day for 30 days.
    const desk = await srv.signUp();
    const deskTopic = await createTopic(srv, desk.token, "Busy");
    await srv.server.db.query(
      `INSERT INTO ticket_statistics (workspace_id, span, day, grain, topic_id, member_id, closed, resolution_seconds, resolution_buckets)
       SELECT $1, 'DAY', date '2026-06-01' + d, 0, $2, gen_random_uuid(), 2, 7200, '{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2}'
         FROM generate_series(0, 29) d, generate_series(1, 80) m`,
      [uuid(desk.workspaceId), uuid(deskTopic)],
    );
    // The month's row of the topic, as the squasher folds the same days into it.
    await srv.server.db.query(
      `INSERT INTO ticket_statistics (workspace_id, span, day, grain, topic_id, closed, resolution_seconds, resolution_buckets)
       VALUES ($1, 'MONTH', '2026-06-01', 1, $2, 4800, 17280000, $3)`,
      [uuid(desk.workspaceId), uuid(deskTopic), [...Array(37).fill(0), 4800]],
    );
    const june = { since: "2026-06-01T00:00:00Z", until: "2026-07-01T00:00:00Z" };
    const tooMany = await srv.gql(STATS, { ...june, groupBy: ["DAY", "TOPIC", "ASSIGNEE"] }, desk.token);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "groupBy" });
    const byMonth = await ok<{ ticketStatistics: { rows: Row[] } }>(srv, STATS, { ...june, groupBy: ["TOPIC"] }, desk.token);
    expect(byMonth.ticketStatistics.rows).toHaveLength(1);
    expect(byMonth.ticketStatistics.rows[0]).toMatchObject({ closed: 4800, resolution: { count: 4800, averageSeconds: 3600 } });
    // A desk of 2,000 members: June's days by topic and assignee would sum 58,000 stored rows.
    const huge = await srv.signUp();
    const hugeTopic = await createTopic(srv, huge.token, "Huge");
    await srv.server.db.query(
      `INSERT INTO ticket_statistics (workspace_id, span, day, grain, topic_id, member_id, closed)
       SELECT $1, 'DAY', date '2026-06-01' + d, 0, $2, m.id, 1
         FROM generate_series(0, 29) d, (SELECT gen_random_uuid() AS id FROM generate_series(1, 2000)) m`,
      [uuid(huge.workspaceId), uuid(hugeTopic)],
    );
    const tooLarge = await srv.gql(
      STATS,
      { since: "2026-06-02T00:00:00Z", until: "2026-07-01T00:00:00Z", groupBy: ["TOPIC", "ASSIGNEE"] },
      huge.token,
    );
    expect(tooLarge.errors?.[0]).toMatchObject({
      message: expect.stringContaining("50,000 stored rows"),
      extensions: { code: "BAD_USER_INPUT", field: "groupBy" },
    });
    // Five readings fit in a request; six do not, whatever they select.
    const readings = (n: number) =>
      `query($since: DateTime!, $until: DateTime!) { ${Array.from({ length: n }, (_, i) => `r${i}: ticketStatistics(since: $since, until: $until, groupBy: []) { timezone }`).join(" ")} }`;
    expect((await srv.gql(readings(5), june, desk.token)).errors).toBeUndefined();
    expect((await srv.gql(readings(6), june, desk.token)).errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
  });

  it("needs a login", async () => {
    const res = await srv.gql(STATS, { since: since.toISOString(), until: new Date().toISOString(), groupBy: [] });
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("ticketStatistics on the embedded database", () => {
  // As `npm start` runs without DATABASE_URL: a server process of its own on a data folder.
  let dataDir: string;
  let server: ServerProcess | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "handover-embedded-stats-"));
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("counts an opening, a reply and a close, and reads them by assignee", async () => {
    let token: string;
    ({ server, token } = await spawnAsAdministrator({
      DATABASE_URL: undefined,
      DATA_DIR: dataDir,
    }));
    const { url } = server;
    const me = (await call<{ viewer: { user: { id: string } } }>(url, `{ viewer { user { id } } }`, {}, token)).viewer.user.id;
    const ticket = (
      await call<{ openTicket: { ticket: { id: string } } }>(
        url,
        `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } } }`,
        { i: { contactUrn: newUrn(), assigneeId: me } },
        token,
      )
    ).openTicket.ticket;
    await call(
      url,
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { userErrors { code } } }`,
      {
        i: { ticketId: ticket.id, text: "Hello" },
      },
      token,
    );
    await call(
      url,
      `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { failures { code } } }`,
      { i: { ticketIds: [ticket.id] } },
      token,
    );
    const now = Date.now();
    const read = await call<{ ticketStatistics: { rows: Row[] } }>(
      url,
      STATS,
      { since: new Date(now - 86_400_000).toISOString(), until: new Date(now + 86_400_000).toISOString(), groupBy: ["ASSIGNEE"] },
      token,
    );
    const rows = read.ticketStatistics.rows;
    expect(rows.find((r) => r.assignee === null)).toMatchObject({ opened: 1, closed: 0 });
    expect(rows.find((r) => r.assignee?.id === me)).toMatchObject({
      opened: 0,
      closed: 1,
      assigned: 1,
      replies: 1,
      firstReply: { count: 1 },
      resolution: { count: 1 },
    });
  }, 120_000);
});
