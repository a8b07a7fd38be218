import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { call, spawnServer, until, type ServerProcess } from "../support/server-process";
import { subscribe } from "../support/subscriber";

/**
 * Subscriptions on the embedded database (no DATABASE_URL): LISTEN/NOTIFY does not cross
 * connections there, so the process's own commits wake its subscribers directly. The sweep is
 * set to ten minutes, so that only that in-process wake-up can deliver.
 */
let dataDir: string;
let server: ServerProcess | undefined;

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), "handover-embedded-subs-"));
});
afterAll(async () => {
  await server?.stop("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

it("a subscriber on the embedded server receives the events its HTTP API makes", async () => {
  server = await spawnServer({
    DATABASE_URL: undefined,
    DATA_DIR: dataDir,
    HANDOVER_ADMIN_EMAIL: "admin@example.com",
    HANDOVER_ADMIN_PASSWORD: "bootstrap-password",
    FEED_SWEEP_INTERVAL_MS: "600000",
  });
  const { url, wsUrl } = server;
  const token = (
    await call<{ logIn: { token: string } }>(url, `mutation($i: LogInInput!) { logIn(input: $i) { token } }`, {
      i: { email: "admin@example.com", password: "bootstrap-password" },
    })
  ).logIn.token;
  const ticket = (
    await call<{ openTicket: { ticket: { id: string } } }>(
      url,
      `mutation($i: OpenTicketInput!) { openTicket(input: $i) { ticket { id } } }`,
      { i: { contactUrn: "tel:+15550001111" } },
      token,
    )
  ).openTicket.ticket;
  const { eventCursor } = (await call<{ tickets: { eventCursor: string } }>(url, `{ tickets(first: 1) { eventCursor } }`, {}, token))
    .tickets;

  const sub = subscribe<{ ticketEvents: { note: string | null } }, string>(
    wsUrl,
    token,
    `subscription($after: String, $filter: TicketEventFilter) { ticketEvents(after: $after, filter: $filter) { note } }`,
    { variables: { after: eventCursor, filter: { ticketId: ticket.id, types: ["NOTE_ADDED"] } }, as: (event) => event.note ?? "" },
  );
  const { events: notes, errors } = sub;
  const addNote = (note: string) =>
    call(
      url,
      `mutation($i: AddTicketNoteInput!) { addTicketNote(input: $i) { tickets { id } } }`,
      { i: { ticketIds: [ticket.id], note } },
      token,
    );
  try {
    // The first note may be read by the subscription's replay (it starts from eventCursor); the
    // ones after it arrive once the subscription is live, woken by the commit itself.
    await addNote("note 0");
    await until(() => notes.length === 1, "the first note");
    for (let i = 1; i <= 3; i++) {
      await addNote(`note ${i}`);
      await until(() => notes.length === i + 1, `note ${i}`);
    }
    expect(notes).toEqual(["note 0", "note 1", "note 2", "note 3"]);
    expect(errors).toEqual([]);
  } finally {
    await sub.stop();
  }
  expect(await server.stop("SIGTERM")).toBe(0);
}, 120_000);
