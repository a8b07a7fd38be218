// Loads the offline GraphiQL page in headless Chromium and runs queries through its UI.
// Needs /usr/bin/chromium (apt-get install -y chromium); skipped without it unless CI is set.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startTestServer, type TestServer } from "./support/harness";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = "/tmp/graphiql.png"; // the page with the viewer's answer, or the failure
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const describeWithChromium = existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

describeWithChromium("GraphiQL page", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    // Fast no-op when dist/graphiql is newer than its inputs.
    execFileSync(process.execPath, [path.join(__dirname, "..", "scripts", "build-graphiql.mjs")], {
      stdio: "inherit",
    });
    server = await startTestServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
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

      // Subscriptions go over graphql-ws, authenticated by the same header in connection_init
      // (whatever the server then answers to this operation).
      const connectionInit = new Promise<{ url: string; payload: unknown }>((resolve, reject) => {
        setTimeout(() => reject(new Error("GraphiQL sent no graphql-ws connection_init")), 15_000).unref();
        page.on("websocket", (ws) =>
          ws.on("framesent", (frame) => {
            const message = JSON.parse(String(frame.payload)) as { type: string; payload?: unknown };
            if (message.type === "connection_init") resolve({ url: ws.url(), payload: message.payload });
          }),
        );
      });
      await runQuery(page, "subscription Anything { __typename }");
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
