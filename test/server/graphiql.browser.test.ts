// Loads the offline GraphiQL page in headless Chromium and runs queries through its UI.
// Needs /usr/bin/chromium (apt-get install -y chromium); skipped without it unless CI is set.
import { execFileSync } from "node:child_process";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { newUrn } from "../support/fixtures";
import { startTestServer, type TestServer } from "../support/harness";
import { describeWithChromium, launchChromium } from "../support/chromium";

const SCREENSHOT = "/tmp/graphiql.png"; // the page with the viewer's answer, or the failure

describeWithChromium("GraphiQL page", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    // Fast no-op when dist/graphiql is newer than its inputs.
    execFileSync(process.execPath, [path.join(__dirname, "..", "..", "scripts", "build-graphiql.mjs")], {
      stdio: "inherit",
    });
    server = await startTestServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("is served as HTML to browsers and references no external URL", async () => {
    const res = await fetch(server.graphqlUrl, { headers: { Accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    const origin = new URL(server.url).origin;
    const urls = html.match(/https?:\/\/[^\s"'<>]+/g) ?? [];
    expect(urls.filter((u) => new URL(u).origin !== origin)).toEqual([]);

    // API clients still reach the GraphQL endpoint.
    const api = await fetch(server.graphqlUrl, { headers: { Accept: "application/json" } });
    expect(api.headers.get("content-type") ?? "").not.toMatch(/text\/html/);
  });

  it("runs queries through the UI, authenticated by the headers editor", async () => {
    const user = await server.signUp();
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const origin = new URL(server.url).origin;
    const requests: string[] = [];
    const pageErrors: string[] = [];
    page.on("request", (req) => requests.push(req.url()));
    page.on("pageerror", (err) => pageErrors.push(err.message));
    try {
      await page.goto(server.graphqlUrl);
      const response = page.locator(".graphiql-response");

      await runQuery(page, "query Typename { __typename }");
      await response.getByText('"Query"').waitFor();

      await page.getByRole("button", { name: "Headers", exact: true }).click();
      await setEditorText(page, ".graphiql-editor-tool", JSON.stringify({ Authorization: `Bearer ${user.token}` }));
      await runQuery(page, "query Viewer { viewer { user { email } } }");
      await response.getByText(`"${user.email}"`).waitFor();
      await page.screenshot({ path: SCREENSHOT });

      // Subscriptions go over graphql-ws, authenticated by the same header in connection_init. A
      // valid one: GraphiQL's fetcher throws a refused operation's errors as an uncaught error.
      const connectionInit = new Promise<{ url: string; payload: unknown }>((resolve, reject) => {
        setTimeout(() => reject(new Error("GraphiQL sent no graphql-ws connection_init")), 15_000).unref();
        page.on("websocket", (ws) =>
          ws.on("framesent", (frame) => {
            const message = JSON.parse(String(frame.payload)) as { type: string; payload?: unknown };
            if (message.type === "connection_init") resolve({ url: ws.url(), payload: message.payload });
          }),
        );
      });
      await runQuery(page, "subscription Live { ticketEvents { id type } }");
      expect(await connectionInit).toEqual({
        url: server.wsUrl,
        payload: { Authorization: `Bearer ${user.token}` },
      });

      const offsite = requests.filter((u) => !/^(data|blob):/.test(u) && new URL(u).origin !== origin);
      expect(offsite).toEqual([]);
      expect(requests).toContain(`${origin}/graphql`);
      expect(pageErrors).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: SCREENSHOT }).catch(() => undefined);
      throw error;
    } finally {
      await page.close();
    }
  });
});

describeWithChromium("GraphiQL page, for a new visitor", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(__dirname, "..", "..", "scripts", "build-graphiql.mjs")], { stdio: "inherit" });
    server = await startTestServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("opens on the logIn mutation, says where the token goes, and offers example tabs", async () => {
    const user = await server.signUp();
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    try {
      await page.goto(server.graphqlUrl);
      const tabs = page.locator(".graphiql-tab");
      await tabs.first().waitFor();
      expect(await tabs.allInnerTexts()).toEqual(["LogIn", "Inbox", "TicketThread", "TicketEvents"]);
      const query = page.locator(".graphiql-query-editor .monaco-editor").filter({ visible: true });
      await query.getByText("mutation LogIn").waitFor();
      await query.getByText(`{"Authorization": "Bearer <token>"}`).waitFor();

      // Log in as the first tab says: credentials in Variables, then run it.
      await page.getByRole("button", { name: "Variables", exact: true }).click();
      await setEditorText(page, ".graphiql-editor-tool", JSON.stringify({ email: user.email, password: user.password }));
      await page.locator(".graphiql-execute-button").click();
      const response = page.locator(".graphiql-response");
      await response.getByText(`"${user.email}"`).waitFor();
      // Monaco wraps long lines: read the answer without its whitespace.
      const token = /"token":"(hov_[^"]+)"/.exec((await response.innerText()).replace(/\s+/g, ""))?.[1];
      expect(token).toBeTruthy();

      // An example tab holds the placeholder where the token goes.
      await tabs.filter({ hasText: "Inbox" }).click();
      await page.locator(".graphiql-tab-active").getByText("Inbox", { exact: true }).waitFor();
      await page.getByRole("button", { name: "Headers", exact: true }).click();
      const tool = page.locator(".graphiql-editor-tool .monaco-editor").filter({ visible: true });
      await tool.getByText("<paste the token of LogIn here>").waitFor();
      await setEditorText(page, ".graphiql-editor-tool", JSON.stringify({ Authorization: `Bearer ${token}` }));
      await page.locator(".graphiql-execute-button").click();
      await response.getByText('"totalCount": 0').waitFor();
    } catch (error) {
      await page.screenshot({ path: SCREENSHOT }).catch(() => undefined);
      throw error;
    } finally {
      await page.close();
    }
  });

  it("sends a subscription run the instant it is typed over the WebSocket, and shows its events", async () => {
    const user = await server.signUp();
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const subscribes: Array<{ query: string; operationName?: string | null }> = [];
    page.on("websocket", (ws) =>
      ws.on("framesent", (frame) => {
        const message = JSON.parse(String(frame.payload)) as { type: string; payload?: { query: string; operationName?: string | null } };
        if (message.type === "subscribe" && message.payload) subscribes.push(message.payload);
      }),
    );
    const overHttp: string[] = [];
    page.on("request", (req) => {
      if (req.method() === "POST" && (req.postData() ?? "").includes("subscription Live")) overHttp.push(req.postData() ?? "");
    });
    try {
      await page.goto(server.graphqlUrl);
      await page.getByRole("button", { name: "Headers", exact: true }).click();
      await setEditorText(page, ".graphiql-editor-tool", JSON.stringify({ Authorization: `Bearer ${user.token}` }));
      // GraphiQL's lagging copy of the editor now holds this query.
      await runQuery(page, "query Viewer { viewer { user { email } } }");
      const response = page.locator(".graphiql-response");
      await response.getByText(`"${user.email}"`).waitFor();

      // Typed and run at once, well within GraphiQL's debounce.
      await setEditorText(page, ".graphiql-query-editor", "subscription Live { ticketEvents { type ticket { id } } }");
      await page.keyboard.press("ControlOrMeta+Enter");
      await until(() => subscribes.length > 0);
      expect(subscribes).toEqual([expect.objectContaining({ query: expect.stringContaining("subscription Live"), operationName: "Live" })]);

      // The subscription is live: a ticket opened now shows up in the response.
      const opened = await server.gql<{ openTicket: { ticket: { id: string } } }>(
        `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } userErrors { code } } }`,
        { i: { contactUrn: newUrn() } },
        user.token,
      );
      await response.getByText('"OPENED"').waitFor();
      expect((await response.innerText()).replace(/\s+/g, "")).toContain(`"id":"${opened.data!.openTicket.ticket.id}"`);
      expect(overHttp).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: SCREENSHOT }).catch(() => undefined);
      throw error;
    } finally {
      await page.close();
    }
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("gave up waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Types `query` (a named operation) into the query editor and clicks the execute button. */
async function runQuery(page: Page, query: string): Promise<void> {
  await setEditorText(page, ".graphiql-query-editor", query);
  // GraphiQL picks up the operation name with a debounce; the active tab shows it when ready.
  const name = /^\w+ (\w+)/.exec(query)?.[1] ?? "";
  await page.locator(".graphiql-tab-active").getByText(name, { exact: true }).waitFor();
  await page.locator(".graphiql-execute-button").click();
}

/** Replaces the content of the Monaco editor inside `container` as if typed. */
async function setEditorText(page: Page, container: string, text: string): Promise<void> {
  const editor = page.locator(`${container} .monaco-editor`).filter({ visible: true });
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  // insertText inserts the whole string at once, so auto-closing brackets do not interfere.
  await page.keyboard.insertText(text);
}
