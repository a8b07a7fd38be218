/**
 * A channel connector for Handover: it takes every reply agents send (MESSAGE_SENT events),
 * "delivers" it on the channel (here: prints it), and reports the delivery back with
 * updateMessageStatus (SENT, then DELIVERED). It keeps the cursor of the last event it handled
 * in a file, so a restart resumes exactly there.
 *
 *   HANDOVER_URL=http://localhost:4000/graphql HANDOVER_TOKEN=hov_… CURSOR_FILE=./connector.cursor \
 *     node -r @swc-node/register examples/channel-connector.ts
 *
 * The token is an API token of an administrator or editor (createApiToken).
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

function setting(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`Set ${name} (see examples/README.md).`);
    process.exit(2);
  }
  return value;
}

const httpUrl = setting("HANDOVER_URL");
const token = setting("HANDOVER_TOKEN");
const cursorFile = setting("CURSOR_FILE");

/** POSTs one GraphQL operation; any error is a failure. */
async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(httpUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors || !body.data) throw new Error(`Handover answered ${response.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

function readCursor(): string | undefined {
  try {
    return readFileSync(cursorFile, "utf8").trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Replaces the file in one step, so that a crash leaves either the old cursor or the new one. */
function saveCursor(cursor: string): void {
  writeFileSync(`${cursorFile}.tmp`, `${cursor}\n`);
  renameSync(`${cursorFile}.tmp`, cursorFile);
}

interface SentEvent {
  cursor: string;
  ticket: { id: string };
  message: { id: string; urn: string; text: string } | null;
}

const SUBSCRIPTION = `subscription($after: String, $filter: TicketEventFilter) {
  ticketEvents(after: $after, filter: $filter) { cursor ticket { id } message { id urn text } }
}`;

const REPORT = `mutation($i: UpdateMessageStatusInput!) {
  updateMessageStatus(input: $i) { message { status } userErrors { code message } }
}`;

async function report(messageId: string, status: "SENT" | "DELIVERED"): Promise<void> {
  const data = await graphql<{ updateMessageStatus: { userErrors: Array<{ code: string; message: string }> } }>(REPORT, {
    i: { id: messageId, status },
  });
  const [problem] = data.updateMessageStatus.userErrors;
  if (problem) throw new Error(`updateMessageStatus ${status}: ${problem.code} ${problem.message}`);
}

/** Hands a reply to the channel. A real connector calls the channel's API here. */
async function deliver(event: SentEvent): Promise<void> {
  if (!event.message) return;
  await report(event.message.id, "SENT");
  console.log(`delivered ${event.message.id} to ${event.message.urn}: ${event.message.text}`);
  await report(event.message.id, "DELIVERED");
}

async function main(): Promise<void> {
  let after = readCursor();
  if (after) {
    console.log(`resuming after ${after}`);
  } else {
    // First run: start from now. eventCursor is the event cursor as of this (tiny) list: nothing
    // that happens after it is missed.
    const data = await graphql<{ tickets: { eventCursor: string } }>(`
      {
        tickets(first: 1) {
          eventCursor
        }
      }
    `);
    after = data.tickets.eventCursor;
    saveCursor(after);
    console.log(`no cursor file yet: starting from now (${after})`);
  }

  // The client sends this very object again when it retries a subscription. Keeping it and
  // moving `after` to each cursor as it arrives makes every retry resume where this one stopped,
  // with nothing missed and nothing repeated.
  const variables = { after, filter: { types: ["MESSAGE_SENT"] } };
  // Events are handled one at a time, in order; the file moves on only once one is handled.
  let work = Promise.resolve();

  const client = createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    retryAttempts: Infinity,
    // 4403: the token was revoked or its member removed; retrying cannot help. Everything else
    // (a restart 1012, too slow 1013, a lost connection) is retried.
    shouldRetry: (e) => !(typeof e === "object" && e !== null && (e as { code?: unknown }).code === 4403),
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** retries, 30_000) * (0.5 + Math.random()))),
    on: {
      connected: () => console.log(`connected; receiving replies after ${variables.after}`),
      closed: (event) => console.log(`connection closed (${(event as { code?: number }).code ?? "?"}); reconnecting`),
    },
  });

  client.subscribe<{ ticketEvents: SentEvent }>(
    { query: SUBSCRIPTION, variables },
    {
      next: ({ data, errors }) => {
        if (!data) return console.error("subscription error:", JSON.stringify(errors));
        const event = data.ticketEvents;
        variables.after = event.cursor;
        work = work
          .then(() => deliver(event))
          .then(() => saveCursor(event.cursor))
          .catch((error: unknown) => {
            // Stop rather than skip: a restart resumes from the last reply handled.
            console.error("handling a reply failed:", error);
            process.exit(1);
          });
      },
      error: (error) => {
        console.error("the subscription ended with an error:", error);
        process.exit(1);
      },
      complete: () => void work.then(() => process.exit(0)),
    },
  );

  const stop = () => {
    void client.dispose();
    void work.then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
