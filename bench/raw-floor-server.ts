import { createHash } from "node:crypto";
import http from "node:http";
import pg from "pg";

/**
 * The floor of the inbox comparison: the least a server can do to answer the inbox page our
 * server answers, doing the same work in the fewest steps. A bare Node http server with a pg
 * pool:
 *
 * - authenticates the bearer token as ours does (SHA-256 of the token, looked up among the
 *   unrevoked tokens whose session is not idle and whose user is still a member), remembering
 *   the answer for AUTH_CACHE_MS (5 s, our default), so a request costs one statement as ours;
 * - answers the first page of the token's workspace's open tickets, newest activity first, with
 *   what the bench's inbox document selects: totalCount from the count rows (when asked),
 *   each edge's cursor (status, time in microseconds, id and the snapshot, as base64 of a JSON
 *   array) and node (global id, lastActivityAt, contact name and URNs, topic and assignee
 *   names), and pageInfo's endCursor and hasNextPage, shaped as a GraphQL answer;
 * - reads the page with one named (prepared) statement, as plain rows joined to their contact,
 *   topic and assignee (the form of PostGraphile's statement; building the cursors' base64 in
 *   SQL doubled the statement's CPU), and builds the ids, cursors and answer in Node.
 *
 * What it skips, on purpose: GraphQL parsing, validation and execution, topic visibility (the
 * bench loads it as an administrator), limits and logging. It is the floor; never expose it.
 *
 * Request: POST {"first": 1..100, "totalCount": boolean} with `Authorization: Bearer <token>`.
 * Environment: DATABASE_URL, PORT, HOST (127.0.0.1), DB_POOL_SIZE (10, as our server's
 * default), AUTH_CACHE_MS (5000), SESSION_IDLE_DAYS (30).
 */

/**
 * The page's statement for `first` tickets: the LIMIT written in (one statement per page size),
 * so that PostgreSQL keeps a generic plan for it as for ours (see src/db/page-limit.ts).
 */
export const inboxSql = (first: number): string => `
SELECT t.id, t.status, (extract(epoch FROM t.last_activity_at) * 1000000)::bigint::text AS us,
       to_char(t.last_activity_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
       c.name, array(SELECT u.urn FROM contact_urns u WHERE u.contact_id = c.id ORDER BY u.priority, u.urn) AS urns,
       tp.name AS topic, a.name AS assignee,
       s.snapshot,
       CASE WHEN $2::boolean
         THEN (SELECT coalesce(sum(d.delta), 0) FROM ticket_count_deltas d WHERE d.workspace_id = $1 AND d.status = 'OPEN')::int
       END AS "totalCount"
  FROM (SELECT pg_current_snapshot()::text AS snapshot) s
  LEFT JOIN LATERAL (
    SELECT * FROM tickets t WHERE t.workspace_id = $1 AND t.status = 'OPEN'
     ORDER BY t.status DESC, t.last_activity_at DESC, t.id DESC
     LIMIT ${first + 1}
  ) t ON true
  LEFT JOIN contacts c ON c.id = t.contact_id
  LEFT JOIN topics tp ON tp.id = t.topic_id
  LEFT JOIN users a ON a.id = t.assignee_id
 ORDER BY t.status DESC, t.last_activity_at DESC, t.id DESC`;

/** A row of the page (all null but the snapshot and count when the folder is empty). */
interface PageRow {
  id: string | null;
  status: string;
  us: string;
  at: string;
  name: string | null;
  urns: string[];
  topic: string;
  assignee: string | null;
  snapshot: string;
  totalCount: number | null;
}

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** The answer our server gives the bench's inbox document: global ids, cursors as ours (base64 of a JSON array). */
export function inboxAnswer(rows: PageRow[], first: number): string {
  const tickets = rows.filter((r) => r.id !== null);
  const edges = tickets.slice(0, first).map((t) => ({
    cursor: base64(JSON.stringify([t.status, t.us, t.id, t.snapshot])),
    node: {
      id: base64(`Ticket:${t.id}`),
      lastActivityAt: t.at,
      contact: { name: t.name, urns: t.urns },
      topic: { name: t.topic },
      assignee: t.assignee === null ? null : { name: t.assignee },
    },
  }));
  const pageInfo = { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: tickets.length > first };
  const count = rows[0].totalCount;
  const page = count === null ? { edges, pageInfo } : { totalCount: count, edges, pageInfo };
  return JSON.stringify({ data: { tickets: page } });
}

/** Who a token acts for, as our server finds it (services/identity/token.service.ts), less the touch. */
export const TOKEN_SQL = `
SELECT t.workspace_id
  FROM api_tokens t JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.user_id
 WHERE t.token_hash = $1 AND t.revoked_at IS NULL
   AND (t.kind = 'API' OR coalesce(t.last_used_at, t.created_at) > now() - make_interval(days => $2))`;

const MAX_BODY = 4096;

type Parsed = { first: number; totalCount: boolean } | { field: string; message: string };

export function parseRequest(text: string): Parsed {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    return { field: "body", message: "The body must be JSON." };
  }
  if (typeof input !== "object" || input === null) return { field: "body", message: "The body must be a JSON object." };
  const { first, totalCount } = input as Record<string, unknown>;
  if (typeof first !== "number" || !Number.isInteger(first) || first < 1 || first > 100) {
    return { field: "first", message: "first must be a whole number from 1 to 100." };
  }
  if (totalCount !== undefined && typeof totalCount !== "boolean") return { field: "totalCount", message: "totalCount must be a boolean." };
  return { first, totalCount: totalCount ?? true };
}

function main(): void {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is required");
  const port = Number(process.env.PORT ?? 0);
  const host = process.env.HOST ?? "127.0.0.1";
  const cacheMs = Number(process.env.AUTH_CACHE_MS ?? 5000);
  const idleDays = Number(process.env.SESSION_IDLE_DAYS ?? 30);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(process.env.DB_POOL_SIZE ?? 10) });
  pool.on("error", (err) => console.error(`pool: ${err.message}`));

  /** token hash (base64) -> workspace, until `expires`. */
  const actors = new Map<string, { workspaceId: string; expires: number }>();
  const workspaceOf = async (authorization: string | undefined): Promise<string | undefined> => {
    const match = authorization ? /^\s*Bearer\s+(\S{8,200})\s*$/i.exec(authorization) : null;
    if (!match) return undefined;
    const hash = createHash("sha256").update(match[1], "utf8").digest();
    const key = hash.toString("base64");
    const now = Date.now();
    const known = actors.get(key);
    if (known && known.expires > now) return known.workspaceId;
    const { rows } = await pool.query<{ workspace_id: string }>({ name: "token", text: TOKEN_SQL, values: [hash, idleDays] });
    if (!rows[0]) return undefined;
    if (actors.size >= 10_000) actors.clear();
    actors.set(key, { workspaceId: rows[0].workspace_id, expires: now + cacheMs });
    return rows[0].workspace_id;
  };

  const answer = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
  const failed = (res: http.ServerResponse) => (err: Error) => {
    console.error(`inbox: ${err.message}`);
    answer(res, 500, '{"errors":[{"message":"The query failed."}]}');
  };

  const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/healthz") return answer(res, 200, '{"status":"ok"}');
    if (req.method !== "POST") return answer(res, 405, '{"errors":[{"message":"Use POST."}]}');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY) return answer(res, 413, '{"errors":[{"message":"The body is too large."}]}');
      const parsed = parseRequest(Buffer.concat(chunks).toString("utf8"));
      if ("field" in parsed) return answer(res, 400, JSON.stringify({ errors: [{ message: parsed.message, field: parsed.field }] }));
      workspaceOf(req.headers.authorization)
        .then((workspaceId) => {
          if (!workspaceId) return answer(res, 401, '{"errors":[{"message":"Not authenticated."}]}');
          // A named statement: parsed and planned once per pooled connection.
          return pool
            .query<PageRow>({ name: `inbox-${parsed.first}`, text: inboxSql(parsed.first), values: [workspaceId, parsed.totalCount] })
            .then((result) => answer(res, 200, inboxAnswer(result.rows, parsed.first)));
        }, failed(res))
        .catch(failed(res));
    });
  });

  const shutdown = () => {
    server.close();
    server.closeAllConnections();
    void pool.end().then(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);

  // Reach the database before listening, so "ready" means ready to answer.
  pool.query("SELECT 1").then(
    () => server.listen(port, host, () => console.log(`raw floor listening on ${host}:${(server.address() as { port: number }).port}`)),
    (err: Error) => {
      console.error(`cannot reach the database: ${err.message}`);
      process.exit(1);
    },
  );
}

if (require.main === module) main();
