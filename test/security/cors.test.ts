// Browser pages of other origins: CORS_ORIGINS lists the ones allowed to call the API, over
// HTTP (preflights, headers on every answer) and WebSocket (Origin checked at the upgrade); all
// others get no Access-Control-* headers and a 403 upgrade. CSRF prevention holds beside it: a
// "simple" request a page could send anywhere without asking does not run.
// test/cross-origin.browser.test.ts runs the same in Chromium on two origins.
import WebSocket from "ws";
import { ConfigError, loadConfig } from "../../src/config";
import { startTestServer, type TestServer } from "../support/harness";

const APP = "http://localhost:3000";
const OTHER_APP = "https://inbox.example.com";
const STRANGER = "https://evil.example.net";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ CORS_ORIGINS: `${APP}, ${OTHER_APP}/`, BODY_LIMIT_BYTES: "2048" });
});
afterAll(async () => {
  await srv?.close();
});

function preflight(origin: string, method = "POST", headers = "authorization,content-type") {
  return fetch(srv.graphqlUrl, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers },
  });
}

describe("preflights", () => {
  it("answers an allowed origin's preflight for POST and GET with what the API needs", async () => {
    for (const [origin, method] of [
      [APP, "POST"],
      [OTHER_APP, "GET"],
    ]) {
      const res = await preflight(origin, method, "authorization,content-type,apollo-require-preflight,x-apollo-operation-name");
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
      expect(res.headers.get("access-control-allow-methods")?.split(",")).toEqual(["GET", "POST"]);
      const allowed = res.headers.get("access-control-allow-headers")?.split(",") ?? [];
      expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type", "apollo-require-preflight", "x-apollo-operation-name"]));
      expect(res.headers.get("access-control-max-age")).toBe("600");
      // Tokens travel in a header, never in cookies: no credentials mode.
      expect(res.headers.get("access-control-allow-credentials")).toBeNull();
      expect(res.headers.get("vary")).toMatch(/origin/i);
    }
  });

  it("gives another origin's preflight no Access-Control headers, so the browser stops there", async () => {
    for (const origin of [STRANGER, "null", "http://localhost:3001", "http://LOCALHOST:3000.evil.net"]) {
      const res = await preflight(origin);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(res.headers.get("access-control-allow-headers")).toBeNull();
    }
  });
});

describe("answers", () => {
  const query = JSON.stringify({ query: "{ __typename }" });

  it("lets an allowed origin read an answer, its request id and Retry-After", async () => {
    const res = await fetch(srv.graphqlUrl, { method: "POST", headers: { origin: APP, "content-type": "application/json" }, body: query });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    expect(res.headers.get("access-control-expose-headers")?.split(",")).toEqual(["x-request-id", "retry-after"]);
  });

  it("marks even a refused request's answer (413) for an allowed origin, so the page can read why", async () => {
    const big = JSON.stringify({ query: `{ __typename }`, variables: { pad: "x".repeat(4000) } });
    const res = await fetch(srv.graphqlUrl, { method: "POST", headers: { origin: APP, "content-type": "application/json" }, body: big });
    expect(res.status).toBe(413);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
  });

  it("does not mark answers to any other origin, and says that every answer varies by Origin", async () => {
    const res = await fetch(srv.graphqlUrl, { method: "POST", headers: { origin: STRANGER, "content-type": "application/json" }, body: query });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("vary")).toMatch(/origin/i);
    const bare = await fetch(srv.graphqlUrl, { method: "POST", headers: { "content-type": "application/json" }, body: query });
    expect(bare.headers.get("vary")).toMatch(/origin/i);
  });
});

describe("CSRF prevention beside CORS", () => {
  const signUp = (email: string) =>
    JSON.stringify({
      query: `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      variables: { i: { email, password: "correct horse battery", name: "Csrf", workspaceName: "Csrf" } },
    });

  it("does not run a mutation sent as a simple request (text/plain, as a form or a no-cors fetch sends it), from any origin", async () => {
    const email = `csrf-${Date.now()}@example.com`;
    for (const origin of [STRANGER, APP]) {
      const res = await fetch(srv.graphqlUrl, { method: "POST", headers: { origin, "content-type": "text/plain" }, body: signUp(email) });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: Array<{ message: string }> };
      expect(body.errors[0].message).toMatch(/CSRF|preflight|content-type/i);
    }
    // It did not run: the address is still free.
    const res = await srv.gql<{ signUp: { token: string | null } }>(
      `mutation($i: SignUpInput!) { signUp(input: $i) { token } }`,
      (JSON.parse(signUp(email)) as { variables: Record<string, unknown> }).variables,
    );
    expect(res.data?.signUp.token).toEqual(expect.any(String));
  });

  it("refuses simple requests before the rate limit counts them: a page cannot use up its visitors' limit", async () => {
    const limited = await startTestServer({ CORS_ORIGINS: APP, RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "3" });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await fetch(limited.graphqlUrl, { method: "POST", headers: { origin: STRANGER, "content-type": "text/plain" }, body: signUp("x@example.com") });
        statuses.push(res.status);
        const img = await fetch(`${limited.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`, { headers: { origin: STRANGER } });
        statuses.push(img.status);
      }
      expect(new Set(statuses)).toEqual(new Set([400]));
      const res = await fetch(limited.graphqlUrl, { method: "POST", headers: { origin: APP, "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });
      expect(res.status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("refuses a GET query without a preflight header, and runs it with one", async () => {
    const url = `${srv.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`;
    const bare = await fetch(url, { headers: { origin: APP, accept: "application/json" } });
    expect(bare.status).toBe(400);
    const marked = await fetch(url, { headers: { origin: APP, accept: "application/json", "apollo-require-preflight": "true" } });
    expect(marked.status).toBe(200);
    expect(marked.headers.get("access-control-allow-origin")).toBe(APP);
  });
});

describe("WebSocket origins", () => {
  /** Opens a socket with these headers; resolves with "open" or the HTTP status that refused it. */
  function connect(headers: Record<string, string>): Promise<string | number> {
    return new Promise((resolve) => {
      const socket = new WebSocket(srv.wsUrl, "graphql-transport-ws", { headers });
      socket.on("open", () => {
        socket.close();
        resolve("open");
      });
      socket.on("unexpected-response", (_req, res) => {
        resolve(res.statusCode ?? 0);
        socket.terminate();
      });
      socket.on("error", () => undefined);
    });
  }

  it("opens for a server-side client (no Origin), an allowed origin, and the server's own pages", async () => {
    expect(await connect({})).toBe("open");
    expect(await connect({ origin: APP })).toBe("open");
    expect(await connect({ origin: OTHER_APP })).toBe("open");
    expect(await connect({ origin: srv.url })).toBe("open");
    // Behind a trusted proxy (loopback by default), the page's origin is the host it asked for.
    expect(
      await connect({ origin: "https://support.example.org", "x-forwarded-host": "support.example.org", "x-forwarded-proto": "https" }),
    ).toBe("open");
  });

  it("refuses a page of any other origin with 403 before the upgrade", async () => {
    expect(await connect({ origin: STRANGER })).toBe(403);
    expect(await connect({ origin: "null" })).toBe(403);
    expect(await connect({ origin: "http://localhost:3001" })).toBe(403);
    expect(await connect({ origin: "https://support.example.org", "x-forwarded-host": "other.example.org", "x-forwarded-proto": "https" })).toBe(403);
    // Same host, another scheme, or credentials in the origin: not the server's own.
    expect(await connect({ origin: srv.url.replace("http:", "https:") })).toBe(403);
    expect(await connect({ origin: "http://support.example.org", "x-forwarded-host": "support.example.org", "x-forwarded-proto": "https" })).toBe(403);
    expect(await connect({ origin: srv.url.replace("http://", "http://user:pw@") })).toBe(403);
  });
});

describe("CORS_ORIGINS", () => {
  it("defaults to none: same origin only", () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
  });

  it("reads origins as a browser sends them", () => {
    expect(loadConfig({ CORS_ORIGINS: " http://localhost:3000 ,HTTPS://Inbox.Example.com/ " }).corsOrigins).toEqual([
      "http://localhost:3000",
      "https://inbox.example.com",
    ]);
  });

  it.each([
    ["*", /not an origin/],
    ["localhost:3000", /http:\/\/ or https:\/\//],
    ["https://inbox.example.com/app", /origin as a browser sends it.*https:\/\/inbox\.example\.com/],
    ["http://localhost:80", /no default port.*http:\/\/localhost$/],
    ["ftp://files.example.com", /http:\/\/ or https:\/\//],
  ])("refuses %s, naming the variable", (value, why) => {
    let error: unknown;
    try {
      loadConfig({ CORS_ORIGINS: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/CORS_ORIGINS/);
    expect(String((error as Error).message)).toMatch(why);
  });
});
