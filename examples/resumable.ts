/**
 * What both examples share: settings from the environment, a cursor kept in a file, and a
 * subscription that resumes from it, also across the stock client's automatic retries.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

export function setting(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`Set ${name} (see examples/README.md).`);
    process.exit(2);
  }
  return value;
}

export const httpUrl = setting("HANDOVER_URL");
export const token = setting("HANDOVER_TOKEN");
const cursorFile = setting("CURSOR_FILE");

/** POSTs one GraphQL operation; any error is a failure. */
export async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(httpUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors || !body.data) throw new Error(`Handover answered ${response.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

export function readCursor(): string | undefined {
  try {
    return readFileSync(cursorFile, "utf8").trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Replaces the file in one step, so that a crash leaves either the old cursor or the new one. */
export function saveCursor(cursor: string): void {
  writeFileSync(`${cursorFile}.tmp`, `${cursor}\n`);
  renameSync(`${cursorFile}.tmp`, cursorFile);
}

/**
 * Subscribes and hands each item to `handle`, one at a time and in order, saving its cursor once
 * handled. The client sends this very `variables` object again when it retries a subscription;
 * moving `variables.after` to each cursor as it arrives makes every retry resume where the last
 * connection stopped, with nothing missed and nothing repeated.
 */
export function follow<T extends { cursor: string }>(opts: {
  query: string;
  variables: { after: string | null } & Record<string, unknown>;
  /** The item in a result's data, e.g. data.flowStarts. */
  pick: (data: Record<string, unknown>) => T;
  handle: (item: T) => Promise<void>;
  /** What is received, for the log: "replies", "flow starts". */
  what: string;
}): void {
  const { variables } = opts;
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
      connected: () => console.log(`connected; receiving ${opts.what} after ${variables.after ?? "now"}`),
      closed: (event) => console.log(`connection closed (${(event as { code?: number }).code ?? "?"}); reconnecting`),
    },
  });

  client.subscribe<Record<string, unknown>>(
    { query: opts.query, variables },
    {
      next: ({ data, errors }) => {
        if (!data) return console.error("subscription error:", JSON.stringify(errors));
        const item = opts.pick(data);
        variables.after = item.cursor;
        work = work
          .then(() => opts.handle(item))
          .then(() => saveCursor(item.cursor))
          .catch((error: unknown) => {
            // Stop rather than skip: a restart resumes from the last item handled.
            console.error(`handling one of the ${opts.what} failed:`, error);
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
