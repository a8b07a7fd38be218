import http from "node:http";
import pg from "pg";

/**
 * The floor of the inbox comparison: a bare Node http server with a pg pool that answers the
 * first inbox page (open tickets of a workspace, newest activity first, with contact name and
 * URNs, topic and assignee names, and the open count from the count rows) with one hand-written
 * statement. PostgreSQL builds the JSON and this process only passes its text on.
 *
 * There is NO authentication, no authorization and no topic visibility here on purpose: it is
 * the floor, what the page costs with nothing but the query. Never expose it.
 *
 * Request: POST {"workspaceId": uuid, "first": 1..100}. Environment: DATABASE_URL, PORT,
 * HOST (127.0.0.1), DB_POOL_SIZE (10, as our server's default).
 */

export const INBOX_SQL = `
WITH page AS (
  SELECT t.id, t.status, t.last_activity_at, t.contact_id, t.topic_id, t.assignee_id
    FROM tickets t
   WHERE t.workspace_id = $1 AND t.status = 'OPEN'
   ORDER BY t.status DESC, t.last_activity_at DESC, t.id DESC
   LIMIT $2::int + 1
)
SELECT json_build_object(
  'totalCount', (SELECT coalesce(sum(d.delta), 0) FROM ticket_count_deltas d WHERE d.workspace_id = $1 AND d.status = 'OPEN'),
  'hasNextPage', (SELECT count(*) FROM page) > $2::int,
  'tickets', coalesce((
    SELECT json_agg(json_build_object(
             'id', p.id,
             'lastActivityAt', p.last_activity_at,
             'contact', json_build_object(
               'name', c.name,
               'urns', array(SELECT u.urn FROM contact_urns u WHERE u.contact_id = c.id ORDER BY u.priority, u.urn)),
             'topic', json_build_object('name', tp.name),
             'assignee', CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object('name', a.name) END
           ) ORDER BY p.status DESC, p.last_activity_at DESC, p.id DESC)
      FROM (SELECT * FROM page ORDER BY status DESC, last_activity_at DESC, id DESC LIMIT $2::int) p
      JOIN contacts c ON c.id = p.contact_id
      JOIN topics tp ON tp.id = p.topic_id
      LEFT JOIN users a ON a.id = p.assignee_id
  ), '[]'::json)
)::text AS body`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BODY = 4096;

type Parsed = { workspaceId: string; first: number } | { field: string; message: string };

export function parseRequest(text: string): Parsed {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    return { field: "body", message: "The body must be JSON." };
  }
  if (typeof input !== "object" || input === null) return { field: "body", message: "The body must be a JSON object." };
  const { workspaceId, first } = input as Record<string, unknown>;
  if (typeof workspaceId !== "string" || !UUID.test(workspaceId)) return { field: "workspaceId", message: "workspaceId must be a UUID." };
  if (typeof first !== "number" || !Number.isInteger(first) || first < 1 || first > 100) {
    return { field: "first", message: "first must be a whole number from 1 to 100." };
  }
  return { workspaceId, first };
}

function main(): void {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is required");
  const port = Number(process.env.PORT ?? 0);
  const host = process.env.HOST ?? "127.0.0.1";
  const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(process.env.DB_POOL_SIZE ?? 10) });
  pool.on("error", (err) => console.error(`pool: ${err.message}`));

  const answer = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/healthz") return answer(res, 200, '{"status":"ok"}');
    if (req.method !== "POST") return answer(res, 405, '{"error":{"field":"method","message":"Use POST."}}');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY) return answer(res, 413, '{"error":{"field":"body","message":"The body is too large."}}');
      const parsed = parseRequest(Buffer.concat(chunks).toString("utf8"));
      if ("field" in parsed) return answer(res, 400, JSON.stringify({ error: parsed }));
      // A named statement: parsed and planned once per pooled connection.
      pool.query<{ body: string }>({ name: "inbox", text: INBOX_SQL, values: [parsed.workspaceId, parsed.first] }).then(
        (result) => answer(res, 200, result.rows[0].body),
        (err: Error) => {
          console.error(`inbox: ${err.message}`);
          answer(res, 500, '{"error":{"message":"The query failed."}}');
        },
      );
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
