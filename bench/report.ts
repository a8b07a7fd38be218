import type { LoadResult } from "./load";

export type Row = LoadResult & {
  scenario: string;
  target: string;
  note: string;
  /** CPU per request (ms): the target's process, the PostgreSQL backends serving it, and both. */
  cpuPerRequest: number | null;
  databaseCpuPerRequest: number | null;
  totalCpuPerRequest: number | null;
};

const fixed = (n: number | null, digits = 1) => (n === null || Number.isNaN(n) ? "-" : n.toFixed(digits));

/** The results as a table on the terminal (and the same table in docs/performance.md). */
export function markdownTable(rows: Row[]): string {
  const lines = [
    "| scenario | target | req/s | p50 ms | p99 ms | SQL/req | server CPU ms/req | database CPU ms/req | total CPU ms/req | load generator CPU ms/req | errors |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.scenario}${r.note ? ` (${r.note})` : ""} | ${r.target} | ${fixed(r.throughput, 0)} | ${fixed(r.p50)} | ${fixed(r.p99)} | ${fixed(r.sqlPerRequest, 2)} | ${fixed(r.cpuPerRequest, 2)} | ${fixed(r.databaseCpuPerRequest, 2)} | ${fixed(r.totalCpuPerRequest, 2)} | ${fixed(r.loaderCpuPerRequest, 2)} | ${r.errors} |`,
    ),
  ];
  return lines.join("\n");
}

/**
 * The targets of each side-by-side scenario ranked by throughput and by total CPU per request
 * (server and database): the two can disagree, a target being fast by spending more of the machine.
 */
export function rankings(rows: Row[]): string[] {
  const scenarios = [...new Set(rows.filter((r) => r.scenario.endsWith("(side by side)")).map((r) => r.scenario))];
  return scenarios.flatMap((scenario) => {
    const contenders = rows.filter((r) => r.scenario === scenario);
    const byThroughput = [...contenders].sort((a, b) => b.throughput - a.throughput).map((r) => r.target);
    const byCpu = [...contenders]
      .filter((r) => r.totalCpuPerRequest !== null)
      .sort((a, b) => a.totalCpuPerRequest! - b.totalCpuPerRequest!)
      .map((r) => `${r.target} ${fixed(r.totalCpuPerRequest, 2)} ms`);
    return [`${scenario}, by throughput: ${byThroughput.join(" > ")}`, `${scenario}, by total CPU per request: ${byCpu.join(" < ")}`];
  });
}

export function printTable(rows: Row[], ratios: Record<string, number>, extra: Record<string, unknown>): void {
  console.log(`\n${markdownTable(rows)}\n`);
  for (const line of rankings(rows)) console.log(line);
  for (const [label, value] of Object.entries(ratios)) console.log(`${label}: ${value.toFixed(2)}`);
  if (extra.subscriptions) console.log(`subscriptions: ${JSON.stringify(extra.subscriptions)}`);
  if (extra.webhooks) {
    const w = extra.webhooks as {
      oneEndpoint: Drained;
      hundredEndpoints: Drained;
      commitToDelivery: {
        samples: number;
        p50Ms: number;
        p99Ms: number;
        maxMs: number;
        afterAnswerP50Ms: number;
        afterAnswerP99Ms: number;
      };
    };
    console.log(
      "\n| webhooks | deliveries | seconds | deliveries/s | server CPU ms/delivery | database CPU ms/delivery |\n|---|---:|---:|---:|---:|---:|",
    );
    for (const [label, d] of [
      ["one endpoint", w.oneEndpoint],
      ["100 endpoints (5 workspaces)", w.hundredEndpoints],
    ] as const) {
      console.log(
        `| ${label} | ${d.deliveries} | ${d.seconds} | ${d.perSecond} | ${d.serverCpuMsPerDelivery} | ${d.databaseCpuMsPerDelivery} |`,
      );
    }
    const c = w.commitToDelivery;
    console.log(
      `\ncommit to delivery (${c.samples} notes at 20/s): from the request p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms, max ${c.maxMs} ms; ` +
        `from its answer p50 ${c.afterAnswerP50Ms} ms, p99 ${c.afterAnswerP99Ms} ms`,
    );
  }
}

interface Drained {
  deliveries: number;
  seconds: number;
  perSecond: number;
  serverCpuMsPerDelivery: number;
  databaseCpuMsPerDelivery: number;
}
