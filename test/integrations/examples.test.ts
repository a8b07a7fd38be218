import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ok, openTicket } from "../support/fixtures";
import { startTestServer, type SignedUp, type TestServer } from "../support/harness";
import { until } from "../support/server-process";

/**
 * The integrator examples under examples/, run as their own processes against a real server:
 * each handles one item, is killed, is started again, and resumes from the cursor it stored.
 */
const root = path.resolve(__dirname, "..", "..");
let srv: TestServer;
let admin: SignedUp;
let apiToken: string;
let dir: string;
const running: ChildProcess[] = [];

beforeAll(async () => {
  srv = await startTestServer();
  admin = await srv.signUp();
  apiToken = (
    await ok<{ createApiToken: { token: string } }>(
      srv,
      `mutation { createApiToken(input: { name: "integration" }) { token } }`,
      {},
      admin.token,
    )
  ).createApiToken.token;
  dir = mkdtempSync(path.join(tmpdir(), "handover-examples-"));
});
afterAll(async () => {
  for (const child of running) child.kill("SIGKILL");
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

function runExample(file: string, cursorFile: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["-r", "@swc-node/register", path.join("examples", file)], {
    cwd: root,
    env: { ...process.env, HANDOVER_URL: srv.graphqlUrl, HANDOVER_TOKEN: apiToken, CURSOR_FILE: cursorFile, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code)));
  return {
    output: () => out,
    async stop(signal: "SIGKILL" | "SIGTERM") {
      child.kill(signal);
      return exited;
    },
  };
}

const storedCursor = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim() : undefined);

describe("examples/channel-connector.ts", () => {
  const cursorFile = () => path.join(dir, "connector.cursor");

  async function reply(ticketId: string, text: string): Promise<{ messageId: string; cursor: string }> {
    const sent = await ok<{ sendMessage: { message: { id: string } } }>(
      srv,
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }`,
      { i: { ticketId, text } },
      admin.token,
    );
    const messageId = sent.sendMessage.message.id;
    // Its MESSAGE_SENT event, as the log has it (readable once older transactions have ended).
    let cursor: string | undefined;
    for (let i = 0; i < 500 && !cursor; i++) {
      const events = await ok<{ ticketEvents: { nodes: Array<{ cursor: string; message: { id: string } | null }> } }>(
        srv,
        `query($f: TicketEventFilter) { ticketEvents(filter: $f, first: 100) { nodes { cursor message { id } } } }`,
        { f: { ticketId, types: ["MESSAGE_SENT"] } },
        admin.token,
      );
      cursor = events.ticketEvents.nodes.find((e) => e.message?.id === messageId)?.cursor;
      if (!cursor) await new Promise((r) => setTimeout(r, 10));
    }
    if (!cursor) throw new Error("the reply's event never showed in the log");
    return { messageId, cursor };
  }

  const status = async (messageId: string) =>
    (
      await ok<{ node: { status: string } }>(
        srv,
        `query($id: ID!) { node(id: $id) { ... on Message { status } } }`,
        { id: messageId },
        admin.token,
      )
    ).node.status;

  it("delivers a reply and reports it; after a kill and a restart it goes on with the next, not the same again", async () => {
    const ticket = await openTicket(srv, admin.token);
    const first = runExample("channel-connector.ts", cursorFile());
    await until(() => first.output().includes("starting from now"), "the connector to choose where to start", 6000);

    const one = await reply(ticket.id, "first reply");
    const firstLine = `delivered ${one.messageId} to ${ticket.contact.urns[0]}: first reply`;
    // The line comes through a pipe: it may reach us after the file has changed.
    await until(() => storedCursor(cursorFile()) === one.cursor && first.output().includes(firstLine), "the first reply, handled", 6000);
    expect(await status(one.messageId)).toBe("DELIVERED");
    expect(await first.stop("SIGKILL")).toBe("SIGKILL");

    // Written while no connector runs.
    const two = await reply(ticket.id, "second reply");
    expect(await status(two.messageId)).toBe("QUEUED");
    const second = runExample("channel-connector.ts", cursorFile());
    const secondLine = `delivered ${two.messageId} to ${ticket.contact.urns[0]}: second reply`;
    await until(
      () => storedCursor(cursorFile()) === two.cursor && second.output().includes(secondLine),
      "the second reply, handled by the restarted connector",
      6000,
    );
    expect(second.output()).toContain(`resuming after ${one.cursor}`);
    expect(second.output()).not.toContain("first reply");
    expect(await status(two.messageId)).toBe("DELIVERED");
    expect(await second.stop("SIGTERM")).toBe(0);
  }, 90_000);
});

/** The flow engine's token, as examples/setup.ts printed it. */
let engineToken: string;

describe("examples/setup.ts", () => {
  const setup = async () => {
    const run = runExample("setup.ts", "", {
      HANDOVER_EMAIL: admin.email,
      HANDOVER_PASSWORD: admin.password,
      FLOW_EXTERNAL_ID: "survey",
    });
    const code = await new Promise<number | NodeJS.Signals | null>((resolve) => {
      const poll = setInterval(() => {
        if (/Flow engine:\n.*\n/.test(run.output()) || /setup failed/.test(run.output())) {
          clearInterval(poll);
          resolve(run.stop("SIGTERM"));
        }
      }, 20);
    });
    return { output: run.output(), code };
  };

  it("makes a token for each example, registers the flow and its TICKET_CLOSED trigger, and prints what to run", async () => {
    const { output } = await setup();
    expect(output).toContain("Flow survey: registered. TICKET_CLOSED trigger: created: closing a ticket now asks for a start of survey.");
    const tokens = [...output.matchAll(/HANDOVER_TOKEN=(\S+)/g)].map((m) => m[1]);
    expect(tokens).toHaveLength(2);
    engineToken = tokens[1];
    const { triggers } = await ok<{ triggers: Array<{ type: string; flow: { externalId: string } }> }>(
      srv,
      `{ triggers { type flow { externalId } } }`,
      {},
      admin.token,
    );
    expect(triggers).toEqual([{ type: "TICKET_CLOSED", flow: { externalId: "survey" } }]);
    // Run again: new tokens, the same flow and trigger.
    const again = await setup();
    expect(again.output).toContain("TICKET_CLOSED trigger: already there");
  }, 60_000);
});

describe("examples/flow-engine.ts", () => {
  const cursorFile = () => path.join(dir, "flow-engine.cursor");
  const CLOSE = `mutation($i: CloseTicketsInput!) { closeTickets(input: $i) { tickets { id } } }`;

  /** Closes a ticket (which asks for a flow start) and returns that start's cursor. */
  async function closeAndFindStart(ticketId: string): Promise<string> {
    await ok(srv, CLOSE, { i: { ticketIds: [ticketId] } }, admin.token);
    for (let i = 0; i < 500; i++) {
      const { flowStarts } = await ok<{ flowStarts: Array<{ cursor: string; ticket: { id: string } | null }> }>(
        srv,
        `{ flowStarts(first: 100) { cursor ticket { id } } }`,
        {},
        admin.token,
      );
      const start = flowStarts.find((s) => s.ticket?.id === ticketId);
      if (start) return start.cursor;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error("the flow start never showed");
  }

  it("prints a flow start; after a kill and a restart it goes on with the next, not the same again", async () => {
    // examples/setup.ts registered the flow "survey" and its trigger, and made the engine's token.
    const [t0, t1, t2] = await Promise.all([0, 1, 2].map(() => openTicket(srv, admin.token)));
    // The engine starts from a cursor the feed gave out: the start of an earlier close.
    const c0 = await closeAndFindStart(t0.id);
    writeFileSync(cursorFile(), `${c0}\n`);

    const first = runExample("flow-engine.ts", cursorFile(), { HANDOVER_TOKEN: engineToken });
    await until(() => first.output().includes(`resuming after ${c0}`), "the engine to start", 6000);
    const c1 = await closeAndFindStart(t1.id);
    const firstLine = `start flow survey for contact ${t1.contact.id} (${t1.contact.urns[0]}) after ticket ${t1.id} [${c1}]`;
    // The line comes through a pipe: it may reach us after the file has changed.
    await until(() => storedCursor(cursorFile()) === c1 && first.output().includes(firstLine), "the first start, handled", 6000);
    expect(first.output()).not.toContain(t0.id);
    expect(await first.stop("SIGKILL")).toBe("SIGKILL");

    // Asked for while no engine runs.
    const c2 = await closeAndFindStart(t2.id);
    const second = runExample("flow-engine.ts", cursorFile(), { HANDOVER_TOKEN: engineToken });
    const secondLine = `start flow survey for contact ${t2.contact.id} (${t2.contact.urns[0]}) after ticket ${t2.id} [${c2}]`;
    await until(
      () => storedCursor(cursorFile()) === c2 && second.output().includes(secondLine),
      "the next start, handled by the restarted engine",
      6000,
    );
    expect(second.output()).toContain(`resuming after ${c1}`);
    expect(second.output()).not.toContain(t1.id);
    expect(await second.stop("SIGTERM")).toBe(0);
  }, 90_000);
});
