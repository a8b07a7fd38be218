/**
 * The statistics scenario: what `ticketStatistics` costs over a year of a workspace with a
 * million tickets, and, as the reference in the same run, what counting the same figures from
 * the tickets themselves costs (the scan the kept statistics replace).
 *
 * Its database is its own (handover_bench_stats_<tickets>): a year of tickets (8 topics, 25
 * agents, a team of one topic, 85% assigned, 90% closed, first replies and resolutions spread
 * over seconds to days) is generated in SQL as a table of tickets, and the statistics rows are
 * derived from it at the four grains, folded as the squasher leaves them. Both the reads and the
 * scan are then timed on the same data: wall time per request (one request at a time, so it
 * includes the database's work), and the CPU of the server process and of the PostgreSQL
 * backends serving it.
 */
import pg from "pg";
import { hashPassword } from "../src/auth/password";
import { bucketSql } from "../src/services/statistics/histogram";
import { StatisticGrain } from "../src/entities/ticket-statistic.entity";
import { backendCpu, cpuBetween, cpuMillis, startOurServer } from "./server";
import { withDatabase } from "./seed";

export interface StatisticsOptions {
  tickets: number;
  runs: number;
}

export interface StatisticsRow {
  reading: string;
  reader: string;
  rows: number;
  p50: number;
  p99: number;
  serverCpu: number;
  databaseCpu: number;
  /** The same figures counted from the tickets, wall ms (null where there is no such scan). */
  scan: number | null;
}

const TOPICS = 8;
const AGENTS = 25;
const PASSWORD = "bench-password";
const ZONE = "America/Sao_Paulo";

const STATS = `query($since: DateTime!, $until: DateTime!, $groupBy: [StatisticsGrouping!]!) {
  ticketStatistics(since: $since, until: $until, groupBy: $groupBy) {
    rows { period topic { id } assignee { id } opened closed assigned replies
      firstReply { count averageSeconds medianSeconds p90Seconds } resolution { count averageSeconds medianSeconds p90Seconds } } } }`;

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

export async function runStatisticsScenario(
  adminUrl: string,
  options: StatisticsOptions,
  log: (line: string) => void,
): Promise<{
  rows: StatisticsRow[];
  tickets: number;
  statisticsRows: number;
  deltas: number;
  foldSeconds: number;
  generateSeconds: number;
}> {
  const name = `handover_bench_stats_${options.tickets}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const server = await startOurServer(url, {
    env: { HANDOVER_ADMIN_EMAIL: "admin@bench.example.com", HANDOVER_ADMIN_PASSWORD: PASSWORD, COUNT_SQUASH_INTERVAL_MS: "100" },
    log,
  });
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const started = Date.now();
    const [{ id: workspaceId }] = (await db.query<{ id: string }>(`SELECT id FROM workspaces`)).rows;
    await db.query(`UPDATE workspaces SET timezone = $1`, [ZONE]);
    const hash = await hashPassword(PASSWORD);
    await db.query(
      `INSERT INTO topics (id, workspace_id, name, is_system) SELECT gen_random_uuid(), $1, 'Topic ' || i, false FROM generate_series(1, $2) i`,
      [workspaceId, TOPICS - 1],
    );
    await db.query(
      `WITH u AS (
         INSERT INTO users (id, email, name, password_hash)
         SELECT gen_random_uuid(), 'agent' || i || '@bench.example.com', 'Agent ' || i, $3 FROM generate_series(1, $2) i RETURNING id
       ) INSERT INTO memberships (id, workspace_id, user_id, role) SELECT gen_random_uuid(), $1, id, 'AGENT' FROM u`,
      [workspaceId, AGENTS, hash],
    );
    // Agent 1 is in a team of one topic; agent 2 has none.
    await db.query(
      `WITH t AS (INSERT INTO teams (id, workspace_id, name, all_topics) VALUES (gen_random_uuid(), $1, 'Desk', false) RETURNING id),
            tt AS (INSERT INTO team_topics (workspace_id, team_id, topic_id) SELECT $1, t.id, (SELECT id FROM topics WHERE name = 'Topic 1') FROM t)
       UPDATE memberships m SET team_id = t.id FROM t, users u WHERE m.user_id = u.id AND u.email = 'agent1@bench.example.com'`,
      [workspaceId],
    );

    log(`statistics: generating a year of ${options.tickets.toLocaleString("en-US")} tickets`);
    await db.query(
      `CREATE TABLE bench_tickets AS
       WITH topic AS (SELECT array_agg(id ORDER BY name) AS ids FROM topics),
            agent AS (SELECT array_agg(m.user_id ORDER BY u.email) AS ids FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.role = 'AGENT')
       SELECT i AS id,
              now() - random() * interval '365 days' AS opened_at,
              topic.ids[1 + floor(random() * ${TOPICS})::int] AS topic_id,
              CASE WHEN random() < 0.85 THEN agent.ids[1 + floor(random() * ${AGENTS})::int] END AS assignee_id,
              CASE WHEN random() < 0.95 THEN exp(random() * 11) END AS first_reply_s,
              1 + floor(random() * 5)::int AS replies,
              CASE WHEN random() < 0.9 THEN exp(3 + random() * 11) END AS resolution_s
         FROM generate_series(1, $1) i, topic, agent`,
      [options.tickets],
    );
    await db.query(`UPDATE bench_tickets SET resolution_s = greatest(resolution_s, first_reply_s + 1) WHERE first_reply_s IS NOT NULL`);
    await db.query(`ANALYZE bench_tickets`);
    // The deltas the writes would have left (a fact per ticket and figure, replies all by the
    // assignee on the day of the first reply, at every grain), which the server's squasher then
    // folds into days and months as it does in production. In the order of their days, as writes
    // would have left them: each fold then touches the keys of a few days, not of the whole year.
    const grains = `(VALUES (${StatisticGrain.TOPIC_AND_MEMBER}), (${StatisticGrain.TOPIC}), (${StatisticGrain.MEMBER}), (${StatisticGrain.WORKSPACE})) AS g(grain)`;
    await db.query(
      `WITH fact (at, topic_id, member_id, figure, seconds, n) AS (
         SELECT opened_at, topic_id, NULL::uuid, 'OPENED', NULL::float8, 1 FROM bench_tickets
         UNION ALL SELECT opened_at, topic_id, assignee_id, 'ASSIGNED', NULL, 1 FROM bench_tickets WHERE assignee_id IS NOT NULL
         UNION ALL SELECT opened_at + first_reply_s * interval '1 second', topic_id, assignee_id, 'REPLIED', NULL, replies
                     FROM bench_tickets WHERE first_reply_s IS NOT NULL AND assignee_id IS NOT NULL
         UNION ALL SELECT opened_at, topic_id, assignee_id, 'FIRST_REPLY', first_reply_s, 1
                     FROM bench_tickets WHERE first_reply_s IS NOT NULL AND assignee_id IS NOT NULL
         UNION ALL SELECT opened_at + resolution_s * interval '1 second', topic_id, assignee_id, 'CLOSED', NULL, 1 FROM bench_tickets WHERE resolution_s IS NOT NULL
         UNION ALL SELECT opened_at + resolution_s * interval '1 second', topic_id, assignee_id, 'RESOLUTION', resolution_s, 1
                     FROM bench_tickets WHERE resolution_s IS NOT NULL
       ), keyed AS (
         SELECT (f.at AT TIME ZONE $2)::date AS day, f.topic_id, f.member_id, f.figure, f.n,
                CASE WHEN f.seconds IS NULL THEN 0 ELSE ${bucketSql("f.seconds")} END AS bucket, coalesce(f.seconds, 0) AS seconds
           FROM fact f
       )
       INSERT INTO ticket_statistic_deltas (workspace_id, day, grain, topic_id, member_id, figure, bucket, n, seconds)
       SELECT $1, k.day, g.grain,
              CASE WHEN g.grain IN (${StatisticGrain.TOPIC_AND_MEMBER}, ${StatisticGrain.TOPIC}) THEN k.topic_id END,
              CASE WHEN g.grain IN (${StatisticGrain.TOPIC_AND_MEMBER}, ${StatisticGrain.MEMBER}) THEN k.member_id END,
              k.figure, k.bucket, sum(k.n), sum(k.seconds * k.n)
         FROM keyed k CROSS JOIN ${grains}
        GROUP BY 2, 3, 4, 5, 6, 7
        ORDER BY 2, 3, 4, 5`,
      [workspaceId, ZONE],
    );
    const deltas = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket_statistic_deltas`)).rows[0].n);
    const folding = Date.now();
    for (;;) {
      const [{ n }] = (await db.query<{ n: string }>(`SELECT count(*) AS n FROM ticket_statistic_deltas`)).rows;
      if (Number(n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const foldSeconds = (Date.now() - folding) / 1000;
    log(`statistics: the squasher folded ${deltas.toLocaleString("en-US")} deltas in ${foldSeconds.toFixed(0)} s`);
    await db.query(`VACUUM ANALYZE ticket_statistics`);
    const generateSeconds = (Date.now() - started) / 1000;
    const perGrain = (
      await db.query<{ grain: string; n: string }>(
        `SELECT span || ' ' || grain AS grain, count(*) AS n FROM ticket_statistics GROUP BY 1 ORDER BY 1`,
      )
    ).rows;
    const statisticsRows = perGrain.reduce((sum, r) => sum + Number(r.n), 0);
    log(
      `statistics: ${statisticsRows.toLocaleString("en-US")} folded rows (${perGrain.map((r) => `${r.grain}: ${r.n}`).join(", ")}) in ${generateSeconds.toFixed(0)} s`,
    );

    const gql = async (token: string | undefined, query: string, variables: Record<string, unknown>) => {
      const res = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const json = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
      if (json.errors) throw new Error(JSON.stringify(json.errors));
      return json.data!;
    };
    const logIn = async (email: string) =>
      (
        (await gql(undefined, `mutation($i: LogInInput!) { logIn(input: $i) { token } }`, { i: { email, password: PASSWORD } })).logIn as {
          token: string;
        }
      ).token;
    const readers = {
      administrator: await logIn("admin@bench.example.com"),
      "agent with a team": await logIn("agent1@bench.example.com"),
      "agent without a team": await logIn("agent2@bench.example.com"),
    };
    const until = new Date();
    const since = new Date(until.getTime() - 365 * 86_400_000);
    const observer = new pg.Client({ connectionString: url });
    await observer.connect();

    const scanSql: Record<string, string> = {
      // The same figures from the tickets: counts and exact percentiles, grouped the same way.
      MONTH: `SELECT to_char((opened_at AT TIME ZONE '${ZONE}')::date, 'YYYY-MM') AS period, count(*) AS opened,
                       count(resolution_s) AS closed, count(assignee_id) AS assigned, sum(replies) FILTER (WHERE assignee_id IS NOT NULL) AS replies,
                       avg(first_reply_s), percentile_disc(0.5) WITHIN GROUP (ORDER BY first_reply_s), percentile_disc(0.9) WITHIN GROUP (ORDER BY first_reply_s),
                       avg(resolution_s), percentile_disc(0.5) WITHIN GROUP (ORDER BY resolution_s), percentile_disc(0.9) WITHIN GROUP (ORDER BY resolution_s)
                  FROM bench_tickets WHERE opened_at >= $1 GROUP BY 1`,
      DAY: `SELECT (opened_at AT TIME ZONE '${ZONE}')::date AS period, count(*) AS opened, count(resolution_s), count(assignee_id), sum(replies),
                     avg(first_reply_s), percentile_disc(0.5) WITHIN GROUP (ORDER BY first_reply_s), percentile_disc(0.9) WITHIN GROUP (ORDER BY first_reply_s),
                     avg(resolution_s), percentile_disc(0.5) WITHIN GROUP (ORDER BY resolution_s), percentile_disc(0.9) WITHIN GROUP (ORDER BY resolution_s)
                FROM bench_tickets WHERE opened_at >= $1 GROUP BY 1`,
      "TOPIC, ASSIGNEE": `SELECT topic_id, assignee_id, count(*), count(resolution_s), sum(replies),
                     avg(first_reply_s), percentile_disc(0.5) WITHIN GROUP (ORDER BY first_reply_s), percentile_disc(0.9) WITHIN GROUP (ORDER BY first_reply_s),
                     avg(resolution_s), percentile_disc(0.5) WITHIN GROUP (ORDER BY resolution_s), percentile_disc(0.9) WITHIN GROUP (ORDER BY resolution_s)
                FROM bench_tickets WHERE opened_at >= $1 GROUP BY 1, 2`,
    };
    const timeScan = async (sql: string) => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await observer.query(sql, [since]);
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b)[1];
    };

    const readings: Array<[string, keyof typeof readers, string[]]> = [
      ["MONTH", "administrator", ["MONTH"]],
      ["DAY", "administrator", ["DAY"]],
      ["WEEK, TOPIC", "administrator", ["WEEK", "TOPIC"]],
      ["ASSIGNEE", "administrator", ["ASSIGNEE"]],
      ["TOPIC, ASSIGNEE", "administrator", ["TOPIC", "ASSIGNEE"]],
      ["MONTH, ASSIGNEE", "administrator", ["MONTH", "ASSIGNEE"]],
      ["DAY", "agent with a team", ["DAY"]],
      ["DAY", "agent without a team", ["DAY"]],
    ];
    const rows: StatisticsRow[] = [];
    for (const [reading, reader, groupBy] of readings) {
      const variables = { since: since.toISOString(), until: until.toISOString(), groupBy };
      let answered = 0;
      for (let i = 0; i < 3; i++)
        answered = ((await gql(readers[reader], STATS, variables)).ticketStatistics as { rows: unknown[] }).rows.length;
      const times: number[] = [];
      const serverBefore = cpuMillis(server.pid);
      const dbBefore = await backendCpu(observer, name);
      for (let i = 0; i < options.runs; i++) {
        const t0 = performance.now();
        await gql(readers[reader], STATS, variables);
        times.push(performance.now() - t0);
      }
      const serverCpu = (cpuMillis(server.pid) - serverBefore) / options.runs;
      const databaseCpu = cpuBetween(dbBefore, await backendCpu(observer, name));
      times.sort((a, b) => a - b);
      const scan = reader === "administrator" && scanSql[reading] ? await timeScan(scanSql[reading]) : null;
      const row = {
        reading,
        reader,
        rows: answered,
        p50: percentile(times, 0.5),
        p99: percentile(times, 0.99),
        serverCpu,
        databaseCpu: databaseCpu / options.runs,
        scan,
      };
      rows.push(row);
      log(
        `statistics ${reading} / ${reader}: ${answered} rows, p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms, ` +
          `server CPU ${row.serverCpu.toFixed(2)} ms, database CPU ${row.databaseCpu.toFixed(2)} ms` +
          (scan !== null ? `; the scan of the tickets: ${scan.toFixed(0)} ms (×${(scan / row.p50).toFixed(0)})` : ""),
      );
    }
    await observer.end();
    return { rows, tickets: options.tickets, statisticsRows, deltas, foldSeconds, generateSeconds };
  } finally {
    await db.end();
    await server.stop();
  }
}

/** The results as a markdown table. */
export function statisticsTable(rows: StatisticsRow[]): string {
  const f = (n: number | null, d = 1) => (n === null ? "-" : n.toFixed(d));
  return [
    "| reading (a year) | reader | rows | p50 ms | p99 ms | server CPU ms/req | database CPU ms/req | scan of the tickets ms | scan ÷ p50 |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.reading} | ${r.reader} | ${r.rows} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.serverCpu, 2)} | ${f(r.databaseCpu, 2)} | ${f(r.scan, 0)} | ${r.scan === null ? "-" : `×${(r.scan / r.p50).toFixed(0)}`} |`,
    ),
  ].join("\n");
}
