/**
 * Following a resumable subscription (ticketEvents, flowStarts) with the stock graphql-ws
 * client, in a browser or in Node, so that a reconnection (a server restart 1012, a slow
 * subscriber's 1013, a lost network) goes on exactly after the last item delivered.
 *
 * graphql-ws sends the very payload object it was given again each time it retries a
 * subscription. This helper keeps that object to itself and moves `variables.after` to the
 * cursor of each item as it is delivered, so that a retry asks for what came after it: no gap.
 * It also drops an item whose id it has already delivered (the rule for every client: items
 * carry ids; dedupe by id), so that a retry sent while an item was on its way cannot show it twice.
 */
import type { Client, ClientOptions, FormattedExecutionResult } from "graphql-ws";

/**
 * The retry settings of a graphql-ws client that follows Handover's live events: retry for ever,
 * with a growing random wait, on every close and every failed connect (graphql-ws's default gives
 * up when the server cannot be reached, as while it restarts), except a 4403: the token was
 * revoked or its member removed (the close reason says which), and retrying cannot help. A 4429
 * (over the rate limit) ends the client's subscriptions whatever this says: subscribeResuming
 * subscribes again after the wait the close names.
 */
export const resumingRetries: Pick<ClientOptions, "retryAttempts" | "shouldRetry" | "retryWait"> = {
  retryAttempts: Infinity,
  shouldRetry: (event) => (event as { code?: unknown } | null)?.code !== 4403,
  retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, 10_000) * (0.5 + Math.random()))),
};

/** What a resumable subscription delivers: each item selects at least its id and its cursor. */
export interface ResumableItem {
  id: string;
  cursor: string;
}

export interface ResumingRequest {
  query: string;
  operationName?: string;
  /** `after` is where to start (null or absent: from now); it is kept up to date from here on. */
  variables?: Record<string, unknown> & { after?: string | null };
}

export interface ResumingSink<Data> {
  next(result: FormattedExecutionResult<Data, unknown>): void;
  error(error: unknown): void;
  complete(): void;
}

export interface ResumeOptions {
  /** How many delivered ids to remember for dropping repeats; the oldest are forgotten first. */
  remember?: number;
  /** Called with each cursor delivered, to keep it (in storage) for the next start of the app. */
  onCursor?(cursor: string): void;
}

/**
 * Subscribes through `client` and resumes from the last delivered cursor on every retry.
 * Returns the function that ends the subscription.
 */
export function subscribeResuming<Data extends Record<string, unknown>>(
  client: Client,
  request: ResumingRequest,
  sink: ResumingSink<Data>,
  options: ResumeOptions = {},
): () => void {
  // Our own copies: the caller's objects are left alone, and graphql-ws resends this one.
  const payload = {
    query: request.query,
    operationName: request.operationName,
    variables: { ...request.variables, after: request.variables?.after ?? null },
  };
  const remember = Number.isSafeInteger(options.remember) && (options.remember ?? 0) >= 0 ? (options.remember as number) : 10_000;
  const seen = new RecentIds(remember);
  let ended = false;
  let unsubscribe: () => void = () => undefined;
  let wait: ReturnType<typeof setTimeout> | undefined;
  const end = () => {
    ended = true;
    clearTimeout(wait);
    unsubscribe();
  };
  const subscribe = () => {
    unsubscribe = client.subscribe<Data>(payload, {
      next(result) {
        if (ended) return;
        const item = rootItem(result.data);
        if (!item) return sink.next(result);
        if (typeof item.cursor !== "string" || typeof item.id !== "string") {
          end();
          return sink.error(new Error("A resumable subscription must select the id and the cursor of its items."));
        }
        if (seen.has(item.id)) return;
        seen.add(item.id);
        payload.variables.after = item.cursor;
        options.onCursor?.(item.cursor);
        sink.next(result);
      },
      error(error) {
        if (ended) return;
        // graphql-ws gives up for good on 4429 ("too many requests"), which Handover sends when a
        // connection goes over its rate limit: subscribe again once the wait it names is over.
        const retryIn = rateLimitedFor(error);
        if (retryIn !== undefined) {
          wait = setTimeout(subscribe, retryIn);
          return;
        }
        ended = true;
        sink.error(error);
      },
      complete() {
        if (ended) return;
        ended = true;
        sink.complete();
      },
    });
  };
  subscribe();
  return end;
}

/** For a 4429 close, how long to wait (its reason says "retry in N s"), with some spread. */
function rateLimitedFor(error: unknown): number | undefined {
  const close = error as { code?: unknown; reason?: unknown } | null;
  if (close?.code !== 4429) return undefined;
  const seconds = Number(/retry in (\d+)/.exec(String(close.reason ?? ""))?.[1] ?? 1);
  return seconds * 1000 * (1 + Math.random() / 2);
}

/** The item a subscription result carries: the value of its single root field. */
function rootItem(data: Record<string, unknown> | null | undefined): Partial<ResumableItem> | undefined {
  if (!data) return undefined;
  const values = Object.values(data);
  const value = values.length === 1 ? values[0] : undefined;
  return typeof value === "object" && value !== null ? (value as Partial<ResumableItem>) : undefined;
}

/** A set of the last `capacity` ids added, in insertion order. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }
}
