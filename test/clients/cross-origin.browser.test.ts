// A browser app on its own origin, in headless Chromium: the example inbox of examples/client
// (Apollo Client, typed operations, the resuming WebSocket link), bundled with esbuild and
// served by a second local server, against the API on another port with CORS_ORIGINS naming the
// app's origin. It lists the unassigned tickets, pages, assigns and closes with the list and the
// folder counts correct from the mutations' answers alone (no refetch: requests are counted),
// and shows the live events over a WebSocket. The same app served from an origin not allowed
// can neither read an answer nor open a socket, and a simple cross-origin POST runs nothing.
// Needs /usr/bin/chromium (apt-get install -y chromium); skipped without it unless CI is set.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { build } from "esbuild";
import type { Browser, Page } from "playwright-core";
import { openTicket } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { describeWithChromium, launchChromium } from "../support/chromium";

const SCREENSHOT = "/tmp/cross-origin.png"; // the page when a test failed
const APP_DIR = path.join(__dirname, "..", "..", "examples", "client");

let api: TestServer;
let app: Server;
let stranger: Server;
let appOrigin: string;
let strangerOrigin: string;
let browser: Browser;
let admin: SignedUp;

/** Serves the app's page and its bundle, as a frontend's dev server or CDN would. */
async function staticServer(files: Record<string, { type: string; body: string }>): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const file = files[new URL(req.url ?? "/", "http://x").pathname];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describeWithChromium("a browser app on another origin", () => {
  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [path.join(APP_DIR, "inbox-app.ts")],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      define: { "process.env.NODE_ENV": '"production"' },
      logLevel: "silent",
    });
    const files = {
      "/inbox.html": { type: "text/html; charset=utf-8", body: readFileSync(path.join(APP_DIR, "inbox.html"), "utf8") },
      "/inbox.js": { type: "text/javascript; charset=utf-8", body: bundle.outputFiles[0].text },
    };
    ({ server: app, origin: appOrigin } = await staticServer(files));
    ({ server: stranger, origin: strangerOrigin } = await staticServer(files));
    api = await startTestServer({ CORS_ORIGINS: appOrigin });
    admin = await api.signUp({ name: "Ada Admin" });
    for (let i = 0; i < 5; i++) await openTicket(api, admin.token);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await Promise.all([app, stranger].map((s) => s && new Promise((resolve) => s.close(resolve))));
  });

  /** The GraphQL operations the page sent to the API, by name, in order (preflights aside). */
  function operationsOf(page: Page): string[] {
    const sent: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(api.graphqlUrl) || request.method() === "OPTIONS") return;
      const url = new URL(request.url());
      const body = request.postData();
      const name = url.searchParams.get("operationName") ?? (body ? (JSON.parse(body) as { operationName?: string }).operationName : undefined);
      sent.push(name ?? "?");
    });
    return sent;
  }

  async function inBrowser(act: (page: Page) => Promise<void>): Promise<void> {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    try {
      await act(page);
      expect(problems).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await page.close();
    }
  }

  const folderCount = (page: Page, folder: string) => page.locator(`dd[data-folder="${folder}"]`).textContent();
  const rows = (page: Page) => page.getByRole("list", { name: "Unassigned tickets" }).getByRole("listitem");

  it("lists, pages, assigns and closes with the cache correct and no refetch, and follows live events", async () => {
    await inBrowser(async (page) => {
      const sent = operationsOf(page);
      await page.goto(`${appOrigin}/inbox.html?api=${encodeURIComponent(api.graphqlUrl)}&token=${encodeURIComponent(admin.token)}`);
      await page.getByRole("status").getByText("2 shown").waitFor();
      expect(await folderCount(page, "UNASSIGNED")).toBe("5 open, 0 closed");
      expect(await rows(page).count()).toBe(2);
      // Let the first answers settle, then count only what the actions send.
      await page.waitForTimeout(200);
      const initial = sent.length;
      expect(new Set(sent)).toEqual(new Set(["Me", "InboxCounts", "Inbox"]));

      await page.getByRole("button", { name: "More" }).click();
      await page.getByRole("status").getByText("4 shown").waitFor();

      // Assigning the first one to me: it leaves the unassigned list; the counts follow.
      const first = await rows(page).first().getAttribute("data-ticket");
      await rows(page).first().getByRole("button", { name: "Assign to me" }).click();
      await page.getByRole("status").getByText("3 shown").waitFor();
      expect(await page.locator(`[data-ticket="${first}"]`).count()).toBe(0);
      expect(await folderCount(page, "UNASSIGNED")).toBe("4 open, 0 closed");
      expect(await folderCount(page, "MINE")).toBe("1 open, 0 closed");

      // Closing the next one: it leaves the open list; it counts as closed.
      await rows(page).first().getByRole("button", { name: "Close" }).click();
      await page.getByRole("status").getByText("2 shown").waitFor();
      expect(await folderCount(page, "UNASSIGNED")).toBe("3 open, 1 closed");
      expect(await folderCount(page, "ALL")).toBe("4 open, 1 closed");

      // Both changes arrived as live events over the page's WebSocket to the API's origin.
      const events = page.getByRole("list", { name: "Live events" }).getByRole("listitem");
      await events.filter({ hasText: "CLOSED" }).waitFor();
      expect(await events.allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^ASSIGNED /), expect.stringMatching(/^CLOSED /)]));

      // The page asked for the next page and sent the two mutations (each perhaps twice, as
      // automatic persisted queries register a new one), and refetched nothing.
      const after = sent.slice(initial);
      expect(after.filter((name) => name === "Inbox")).toEqual(["Inbox"]);
      expect(after.filter((name) => !["Inbox", "AssignTickets", "CloseTickets"].includes(name))).toEqual([]);
      expect(await page.getByRole("list", { name: "Errors" }).getByRole("listitem").count()).toBe(0);
    });
  });

  it("gives a page of an origin not allowed nothing: no answer, no socket, and a simple POST runs nothing", async () => {
    await inBrowser(async (page) => {
      await page.goto(`${strangerOrigin}/inbox.html?api=${encodeURIComponent(api.graphqlUrl)}&token=${encodeURIComponent(admin.token)}`);
      // The app's first query fails as a network error: the browser withholds the answer.
      await page.getByRole("list", { name: "Errors" }).getByRole("listitem").first().waitFor();
      expect(await page.getByRole("list", { name: "Errors" }).textContent()).toMatch(/fetch/i);

      const email = `csrf-${Date.now()}@example.com`;
      const outcome = await page.evaluate(
        async ({ url, wsUrl, email }) => {
          const socket = await new Promise<string>((resolve) => {
            const ws = new WebSocket(wsUrl, "graphql-transport-ws");
            ws.onopen = () => resolve("open");
            ws.onclose = (event) => resolve(`closed ${event.code}`);
          });
          const json = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: "Bearer x" },
            body: JSON.stringify({ query: "{ __typename }" }),
          }).then(
            () => "read",
            () => "refused",
          );
          // What a form or a no-cors fetch can send anywhere: it goes out, and must not run.
          await fetch(url, {
            method: "POST",
            mode: "no-cors",
            headers: { "content-type": "text/plain" },
            body: JSON.stringify({
              query: `mutation { signUp(input: { email: "${email}", password: "correct horse battery", name: "X", workspaceName: "X" }) { token } }`,
            }),
          });
          return { socket, json };
        },
        { url: api.graphqlUrl, wsUrl: api.wsUrl, email },
      );
      expect(outcome).toEqual({ socket: "closed 1006", json: "refused" });
      // The address is still free: the simple POST did not sign anyone up.
      const res = await api.gql<{ signUp: { token: string | null } }>(
        `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token } }`,
        { input: { email, password: "correct horse battery", name: "X", workspaceName: "X" } },
      );
      expect(res.data?.signUp.token).toEqual(expect.any(String));
    });
  });
});
