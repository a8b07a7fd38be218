/**
 * /metrics with METRICS_TOKEN: only `Authorization: Bearer <METRICS_TOKEN>` reads it; without the
 * setting it stays open (for a scraper on an internal interface).
 */
import { startTestServer, type TestServer } from "../support/harness";

const TOKEN = "scrape-me-0123456789abcdef";

describe("/metrics with METRICS_TOKEN set", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it("answers the scraper that sends the token", async () => {
    const res = await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("handover_graphql_requests_total");
  });

  it.each([
    ["no Authorization header", undefined],
    ["another token", "Bearer scrape-me-0123456789abcdeX"],
    ["a prefix of the token", `Bearer ${TOKEN.slice(0, -1)}`],
    ["the token and more", `Bearer ${TOKEN}x`],
    ["the token without the Bearer scheme", TOKEN],
    ["the token as Basic credentials", `Basic ${Buffer.from(`metrics:${TOKEN}`).toString("base64")}`],
    ["an empty bearer", "Bearer "],
  ])("refuses %s with 401 and no metrics", async (_what, authorization) => {
    const res = await fetch(`${srv.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
    const text = await res.text();
    expect(text).not.toContain("handover_");
    expect(text).not.toContain(TOKEN);
  });

  it("still serves health, readiness and GraphQL without it", async () => {
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
    expect((await srv.gql(`{ __typename }`)).data).toEqual({ __typename: "Query" });
  });
});

describe("/metrics without METRICS_TOKEN", () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv?.close();
  });

  it("answers anyone, with or without an Authorization header", async () => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: "Bearer whatever-it-is" }];
    for (const headers of attempts) {
      const res = await fetch(`${srv.url}/metrics`, { headers });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("handover_graphql_requests_total");
    }
  });
});
