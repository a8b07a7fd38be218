/**
 * The Handover side of a flow engine: it receives the flow starts that triggers ask for (a
 * TICKET_CLOSED trigger asks for one per closed ticket) and prints each; a real engine would
 * start the flow for the contact there. It keeps the cursor of the last start it handled in a
 * file, so a restart resumes exactly there.
 *
 *   HANDOVER_URL=http://localhost:4000/graphql HANDOVER_TOKEN=hov_… CURSOR_FILE=./flow-engine.cursor \
 *     node -r @swc-node/register examples/flow-engine.ts
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

interface FlowStart {
  id: string;
  cursor: string;
  flow: { externalId: string };
  contact: { id: string; urns: string[] };
  ticket: { id: string } | null;
}

const SUBSCRIPTION = `subscription($after: String) {
  flowStarts(after: $after) { id cursor flow { externalId } contact { id urns } ticket { id } }
}`;

/** Starts the flow. A real engine does it here, and may use the start's id to do it only once. */
async function startFlow(start: FlowStart): Promise<void> {
  console.log(
    `start flow ${start.flow.externalId} for contact ${start.contact.id} (${start.contact.urns.join(", ")})` +
      `${start.ticket ? ` after ticket ${start.ticket.id}` : ""} [${start.cursor}]`,
  );
}

function main(): void {
  const after = readCursor();
  console.log(after ? `resuming after ${after}` : "no cursor file yet: receiving the starts asked for from now on");

  // The client sends this very object again when it retries a subscription. Keeping it and
  // moving `after` to each cursor as it arrives makes every retry resume where this one stopped,
  // with nothing missed and nothing repeated.
  const variables: { after: string | null } = { after: after ?? null };
  // Starts are handled one at a time, in order; the file moves on only once one is handled.
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
      connected: () => console.log(`connected; receiving flow starts after ${variables.after ?? "now"}`),
      closed: (event) => console.log(`connection closed (${(event as { code?: number }).code ?? "?"}); reconnecting`),
    },
  });

  client.subscribe<{ flowStarts: FlowStart }>(
    { query: SUBSCRIPTION, variables },
    {
      next: ({ data, errors }) => {
        if (!data) return console.error("subscription error:", JSON.stringify(errors));
        const start = data.flowStarts;
        variables.after = start.cursor;
        work = work
          .then(() => startFlow(start))
          .then(() => saveCursor(start.cursor))
          .catch((error: unknown) => {
            // Stop rather than skip: a restart resumes from the last start handled.
            console.error("handling a flow start failed:", error);
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

main();
