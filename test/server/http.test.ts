import { startTestServer, type TestServer } from "../support/harness";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ BODY_LIMIT_BYTES: "4096" });
});
afterAll(async () => {
  await srv?.close();
});

describe("HTTP", () => {
  it("serves health and readiness", async () => {
    const health = await fetch(`${srv.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${srv.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("reports not ready when a migration is missing", async () => {
    await srv.server.db.query(`UPDATE migrations SET name = 'renamed' WHERE id = (SELECT max(id) FROM migrations)`);
    try {
      const ready = await fetch(`${srv.url}/readyz`);
      expect(ready.status).toBe(503);
    } finally {
      await srv.server.db.query(`UPDATE migrations SET name = $1 WHERE name = 'renamed'`, [
        srv.server.db.migrations[srv.server.db.migrations.length - 1].name,
      ]);
    }
  });

  it("exposes Prometheus metrics by operation name and error code", async () => {
    const me = await srv.signUp();
    await srv.gql(`query Anything { viewer { role } }`, {}, me.token);
    await srv.gql(`{ viewer { role } }`);
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    expect(text).toContain('handover_graphql_requests_total{operation="query:viewer"}');
    expect(text).toContain('handover_graphql_requests_total{operation="mutation:signUp"}');
    expect(text).toContain('handover_graphql_errors_total{code="UNAUTHENTICATED"}');
    expect(text).toContain("handover_graphql_request_duration_seconds_bucket");
    expect(text).toContain("handover_db_pool_total_connections");
    expect(text).not.toContain("Anything");
  });

  it("runs queries over GET, refuses mutations over GET", async () => {
    const me = await srv.signUp();
    const auth = { authorization: `Bearer ${me.token}` };
    const get = await fetch(`${srv.graphqlUrl}?query=${encodeURIComponent("{ viewer { role } }")}`, { headers: auth });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { viewer: { role: "ADMINISTRATOR" } }, extensions: { cost: { requested: 1, limit: 50000 } } });
    const mutation = await fetch(`${srv.graphqlUrl}?query=${encodeURIComponent("mutation { logOut }")}`, { headers: auth });
    expect(mutation.status).toBe(405);
  });

  it("blocks cross-site simple GET requests (CSRF prevention)", async () => {
    const res = await fetch(`${srv.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`);
    expect(res.status).toBe(400);
  });

  it("refuses bodies over the limit, malformed JSON and batches with a clean JSON error", async () => {
    const big = await fetch(srv.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ __typename }`, variables: { pad: "x".repeat(5000) } }),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");

    const malformed = await fetch(srv.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: "{ not json" });
    expect(malformed.status).toBe(400);
    const body = await malformed.text();
    expect(body).not.toMatch(/at .*\.js|node_modules/);

    const batch = await fetch(srv.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ query: `{ __typename }` }, { query: `{ __typename }` }]),
    });
    expect(batch.status).toBe(400);
  });

  it("answers a persisted query it cannot use as BAD_REQUEST, not as an internal error", async () => {
    const bodies = [
      { query: "{ __typename }", extensions: { persistedQuery: { version: 1, sha256Hash: "abc" } } },
      { query: "{ __typename }", extensions: { persistedQuery: { version: 2, sha256Hash: "abc" } } },
      { query: "{ __typename }", extensions: { persistedQuery: "abc" } },
    ];
    for (const body of bodies) {
      const res = await fetch(srv.graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
      const answer = (await res.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
      expect(answer.errors.map((e) => e.extensions)).toEqual([{ code: "BAD_REQUEST" }]);
    }
    expect(srv.logs.filter((line) => line.includes("persisted query") || line.includes("provided sha"))).toEqual([]);
  });

  it("masks internal errors, with a request id that is also in the log", async () => {
    const me = await srv.signUp();
    await srv.server.db.query(`ALTER TABLE memberships RENAME COLUMN created_at TO created_at_moved`);
    try {
      const res = await srv.gql(`{ members { id } }`, {}, me.token);
      const error = res.errors?.[0];
      expect(error?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
      const requestId = error?.extensions?.requestId as string;
      expect(requestId).toBe(res.headers.get("x-request-id"));
      expect(error?.message).not.toMatch(/created_at|SELECT|column/i);
      expect(JSON.stringify(res)).not.toMatch(/stack|\.ts:|node_modules/);
      expect(srv.logs.some((l) => l.includes(requestId) && l.includes("created_at"))).toBe(true);
    } finally {
      await srv.server.db.query(`ALTER TABLE memberships RENAME COLUMN created_at_moved TO created_at`);
    }
  });
});
