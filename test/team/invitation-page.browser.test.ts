// The page behind an invitation email's link, in headless Chromium, as an invitee meets it: the
// link copied out of the .eml the server wrote (no SMTP_URL), the invitation shown, accepted as
// a new user and as an existing one, the errors of a wrong password, a lockout, a used and an
// expired link, and signing in on GraphiQL afterwards.
// Needs /usr/bin/chromium (apt-get install -y chromium); skipped without it unless CI is set.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { ok, uuid } from "../support/fixtures";
import { type SignedUp, startTestServer, type TestServer } from "../support/harness";
import { freePort } from "../support/private-postgres";
import { describeWithChromium, launchChromium } from "../support/chromium";

const SCREENSHOT = "/tmp/invitation-page.png"; // the page when a test failed
/** Failed password checks before a lockout: few, so that the test reaches it quickly. */
const MAX_FAILURES = 3;

const INVITE = `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } userErrors { code } } }`;

let server: TestServer;
let browser: Browser;
let dataDir: string;
let publicUrl: string;
let admin: SignedUp;

describeWithChromium("the invitation page", () => {
  beforeAll(async () => {
    // GraphiQL, where the new member signs in; a fast no-op when it is up to date.
    execFileSync(process.execPath, [path.join(__dirname, "..", "..", "scripts", "build-graphiql.mjs")], { stdio: "inherit" });
    dataDir = mkdtempSync(path.join(os.tmpdir(), "handover-invitation-page-"));
    // The links must lead to this server: its port is chosen first, so PUBLIC_URL can name it.
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    server = await startTestServer({
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      DATA_DIR: dataDir,
      LOGIN_MAX_FAILURES: String(MAX_FAILURES),
    });
    browser = await launchChromium();
    admin = await server.signUp({ name: "Ada Admin", workspaceName: "Acme Support" });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("opens from the emailed link, shows the invitation, makes a new account, and the new member signs in on GraphiQL", async () => {
    const email = `nia-${Date.now()}@example.com`;
    const link = await invite(email, "EDITOR");
    await inBrowser(async (page) => {
      await page.goto(link);
      await page.getByRole("heading", { name: "Ada Admin invited you to Acme Support" }).waitFor();
      expect(await facts(page)).toEqual({
        Workspace: "Acme Support",
        "Invited by": "Ada Admin",
        "Your role": "An editor",
        "Link valid until": expect.any(String),
      });
      expect(await page.getByLabel("Email").inputValue()).toBe(email);
      expect(await page.getByLabel("Email").getAttribute("readonly")).not.toBeNull();

      // Nothing filled in: the name is asked for, beside the field, announced, and focused.
      await page.getByRole("button", { name: "Accept the invitation" }).click();
      await page.getByRole("alert").getByText("Enter your name.").waitFor();
      expect(await focusedId(page)).toBe("name");
      expect(await page.getByLabel("Your name").getAttribute("aria-invalid")).toBe("true");
      expect(await page.locator("#name-error").innerText()).toBe("Enter your name.");

      await page.getByLabel("Your name").fill("Nia New");
      await page.getByLabel("Choose a password").fill("short");
      await page.keyboard.press("Enter");
      await page.getByRole("alert").getByText("at least 8 characters").waitFor();
      expect(await focusedId(page)).toBe("password");
      expect(await page.getByLabel("Your name").getAttribute("aria-invalid")).toBeNull();

      await page.getByLabel("Choose a password").fill("nia's password");
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "You joined Acme Support" }).waitFor();
      expect(await focusedId(page)).toBe("done-title");
      await page.getByText("You are a member as an editor.").waitFor();
      expect(await page.locator("#log-in-example").innerText()).toContain(`"email": "${email}"`);

      // The page keeps no session: the one acceptInvitation opened is closed.
      await until(async () => (await sessionsOf(email)) === 0);

      // Signing in as the page says: GraphiQL, its logIn tab, the email and password in Variables.
      await page.getByRole("link", { name: "GraphiQL" }).click();
      await page.waitForURL(`${publicUrl}/graphql`);
      await page.locator(".graphiql-tab-active").getByText("LogIn", { exact: true }).waitFor();
      await page.getByRole("button", { name: "Variables", exact: true }).click();
      await setEditorText(page, ".graphiql-editor-tool", JSON.stringify({ email, password: "nia's password" }));
      await page.locator(".graphiql-execute-button").click();
      const response = page.locator(".graphiql-response");
      await response.getByText('"Acme Support"').waitFor();
      expect((await response.innerText()).replace(/\s+/g, "")).toContain(`"role":"EDITOR","user":{"name":"NiaNew","email":"${email}"}`);

      // The link works once.
      await page.goto(link);
      await page.getByRole("heading", { name: "This invitation link does not work" }).waitFor();
      expect(await focusedId(page)).toBe("problem-title");
      await page.getByText("It has expired, been used or been revoked.").waitFor();
      expect(await page.locator("#invitation").isHidden()).toBe(true);
    });
  });

  it("asks an existing user for their password only, says when it is wrong, and joins them with the right one", async () => {
    const existing = await server.signUp({ name: "Omar Old", workspaceName: "Omar's own" });
    const link = await invite(existing.email, "AGENT");
    await inBrowser(async (page) => {
      await page.goto(link);
      await page.getByRole("heading", { name: "Ada Admin invited you to Acme Support" }).waitFor();
      expect((await facts(page))["Your role"]).toBe("An agent");
      expect(await page.getByLabel("Your name").isHidden()).toBe(true);
      const password = page.getByLabel("Your Handover password");
      expect(await password.getAttribute("autocomplete")).toBe("current-password");
      await page.getByText(`You already have an account as ${existing.email}`).waitFor();

      await password.fill("not my password");
      await page.getByRole("button", { name: "Accept the invitation" }).click();
      await page.getByRole("alert").getByText(`Wrong password for ${existing.email}`).waitFor();
      expect(await focusedId(page)).toBe("password");
      expect(await password.getAttribute("aria-invalid")).toBe("true");

      await password.fill(existing.password);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "You joined Acme Support" }).waitFor();
      await page.getByText("You are a member as an agent.").waitFor();
      expect(await page.locator("#invitation").isHidden()).toBe(true);
    });
    const login = await ok<{ logIn: { viewer: { workspace: { id: string } } } }>(
      server,
      `mutation($i: LogInInput!) { logIn(input: $i) { viewer { workspace { id } } } }`,
      { i: { email: existing.email, password: existing.password, workspaceId: admin.workspaceId } },
      "",
    );
    expect(login.logIn.viewer.workspace.id).toBe(admin.workspaceId);
  });

  it("says an expired link does not work, and a link without its token is incomplete", async () => {
    const link = await invite(`late-${Date.now()}@example.com`, "EDITOR");
    await server.server.db.query(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE workspace_id = $1 AND expires_at > now()`, [
      uuid(admin.workspaceId),
    ]);
    await inBrowser(async (page) => {
      await page.goto(link);
      await page.getByRole("heading", { name: "This invitation link does not work" }).waitFor();
      await page.goto(`${publicUrl}/invitations/accept`);
      await page.getByRole("heading", { name: "This link is incomplete" }).waitFor();
    });
  });

  it("says how long to wait after too many wrong passwords, and waits", async () => {
    const existing = await server.signUp({ name: "Lou Locked" });
    const link = await invite(existing.email, "EDITOR");
    await inBrowser(async (page) => {
      await page.goto(link);
      const password = page.getByLabel("Your Handover password");
      await password.waitFor();
      const alert = page.getByRole("alert");
      for (let attempt = 0; attempt <= MAX_FAILURES; attempt++) {
        await password.fill(`wrong guess ${attempt}`);
        await page.getByRole("button", { name: "Accept the invitation" }).click();
        await alert.getByText(/Wrong password|Too many/).waitFor();
        if ((await alert.innerText()).includes("Too many")) break;
        await page.getByRole("button", { name: "Accept the invitation" }).and(page.locator(":enabled")).waitFor();
      }
      expect(await alert.innerText()).toMatch(
        /^Too many failed password attempts for this account or from your network\. Try again in 1[45] minutes \(at [^)]+\)\.$/,
      );
      expect(await page.getByRole("button", { name: "Accept the invitation" }).isDisabled()).toBe(true);
    });
  });
});

/** Invites `email` to Acme Support and answers the link of the email, copied from the .eml file as it is. */
async function invite(email: string, role: string): Promise<string> {
  const res = await server.gql<{ inviteMember: { userErrors: unknown[] } }>(INVITE, { i: { email, role } }, admin.token);
  expect(res.data?.inviteMember.userErrors).toEqual([]);
  const mailDir = path.join(dataDir, "mail");
  const raw = readdirSync(mailDir)
    .map((file) => readFileSync(path.join(mailDir, file), "utf8"))
    .find((message) => message.includes(`\r\nTo: ${email}\r\n`));
  if (!raw) throw new Error(`no email to ${email}`);
  // What a user copies: the line of the raw message that holds the link, untouched.
  const lines = raw.split("\r\n").filter((line) => line.includes("/invitations/accept"));
  expect(lines).toEqual([expect.stringMatching(new RegExp(`^${publicUrl}/invitations/accept\\?token=hov_[\\w-]{43}$`))]);
  return lines[0];
}

/** Runs `act` in a fresh page and checks that the page loaded nothing from elsewhere and logged no error. */
async function inBrowser(act: (page: Page) => Promise<void>): Promise<void> {
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  const offsite: string[] = [];
  const problems: string[] = [];
  page.on("request", (req) => {
    if (!/^(data|blob):/.test(req.url()) && new URL(req.url()).origin !== publicUrl) offsite.push(req.url());
  });
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (message) => {
    // A refused request answers 4xx, which Chromium logs; anything else (a CSP violation, a script error) is a problem.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(message.text());
  });
  try {
    await act(page);
    expect(offsite).toEqual([]);
    expect(problems).toEqual([]);
  } catch (error) {
    await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    await page.close();
  }
}

/** The invitation's facts as the page lists them. */
async function facts(page: Page): Promise<Record<string, string>> {
  const terms = await page.locator(".facts dt").allInnerTexts();
  const values = await page.locator(".facts dd").allInnerTexts();
  return Object.fromEntries(terms.map((term, i) => [term, values[i]]));
}

/** The id of the element that has the focus (the tests' TypeScript has no DOM types: an expression). */
function focusedId(page: Page): Promise<string> {
  return page.evaluate<string>("document.activeElement ? document.activeElement.id : ''");
}

async function sessionsOf(email: string): Promise<number> {
  const [{ n }] = await server.server.db.query<Array<{ n: number }>>(
    `SELECT count(*)::int AS n FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1 AND t.revoked_at IS NULL`,
    [email],
  );
  return n;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("gave up waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Replaces the content of the Monaco editor inside `container` as if typed. */
async function setEditorText(page: Page, container: string, text: string): Promise<void> {
  const editor = page.locator(`${container} .monaco-editor`).filter({ visible: true });
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}
