import type { LoadResult } from "./load";

export type Row = LoadResult & { scenario: string; target: string; note: string; cpuPerRequest: number | null };

const fixed = (n: number | null, digits = 1) => (n === null || Number.isNaN(n) ? "-" : n.toFixed(digits));

/** The results as a table on the terminal (and the same table in docs/performance.md). */
export function markdownTable(rows: Row[]): string {
  const lines = [
    "| scenario | target | req/s | p50 ms | p99 ms | SQL/req | server CPU ms/req | errors |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.scenario}${r.note ? ` (${r.note})` : ""} | ${r.target} | ${fixed(r.throughput, 0)} | ${fixed(r.p50)} | ${fixed(r.p99)} | ${fixed(r.sqlPerRequest, 2)} | ${fixed(r.cpuPerRequest, 2)} | ${r.errors} |`,
    ),
  ];
  return lines.join("\n");
}

export function printTable(rows: Row[], ratios: Record<string, number>, extra: Record<string, unknown>): void {
  console.log(`\n${markdownTable(rows)}\n`);
  for (const [label, value] of Object.entries(ratios)) console.log(`${label}: ${value.toFixed(2)}`);
  if (extra.subscriptions) console.log(`subscriptions: ${JSON.stringify(extra.subscriptions)}`);
}
