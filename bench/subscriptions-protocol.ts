/** What the subscriptions scenario and its subscriber processes say to each other over IPC. */

/** Latencies are counted in buckets of this many milliseconds... */
export const HISTOGRAM_BUCKET_MS = 0.1;
/** ...up to 60 s; slower ones are kept one by one. */
export const HISTOGRAM_BUCKETS = 600_000;

export interface SubscriberClient {
  token: string;
  query: string;
  /** Which workspace (scenario index) the client listens to: probes are per workspace. */
  group: number;
}

export type SubscribersCommand =
  | { type: "connect"; wsUrl: string; clients: SubscriberClient[] }
  | { type: "status" }
  | { type: "measure" }
  | { type: "report" }
  | { type: "close" };

export type SubscribersReply =
  | { type: "ready" }
  | {
      type: "status";
      clients: number;
      acked: number;
      closed: number;
      closeCodes: Record<string, number>;
      /** Workspaces with an open client that has not received a probe event yet. */
      unprobedGroups: number[];
      /** Load deliveries received since "measure". */
      deliveries: number;
      errors: number;
      firstErrors: string[];
    }
  | { type: "measuring" }
  | {
      type: "report";
      deliveries: number;
      /** Sparse histogram: [bucket index, count]. */
      buckets: Array<[number, number]>;
      overflow: number[];
      errors: number;
      firstErrors: string[];
      unexpected: number;
      /** Per load note id: when its first and its last delivery arrived (ms, wall clock). */
      perNote: Array<[number, [number, number]]>;
    }
  | { type: "closed" };

/** The latency at a quantile (0..1) of a merged histogram, in milliseconds. */
export function quantile(histogram: Map<number, number>, overflow: number[], total: number, q: number): number {
  if (total === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const index of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(index) ?? 0;
    if (seen >= rank) return (index + 1) * HISTOGRAM_BUCKET_MS;
  }
  const sorted = [...overflow].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, rank - seen - 1)];
}
