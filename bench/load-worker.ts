/**
 * The load generator's process: posts request bodies to one URL over keep-alive connections at
 * a fixed concurrency, first for a warm-up, then for the measured time, and reports throughput,
 * latency percentiles, errors and the SQL statements the server said each request took
 * (its x-sql-statements header). It runs apart from the servers it measures, so their CPU and
 * its own are accounted separately.
 */
import http from "node:http";
import type { LoadSpec, LoadResult } from "./load";

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const target = new URL(spec.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  let next = 0;
  let measuring = false;
  let stopped = false;
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  let statements = 0;
  let statementSamples = 0;
  let bytes = 0;

  const once = (body: string): Promise<void> =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...spec.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
            const text = Buffer.concat(chunks).toString("utf8");
            // A GraphQL error anywhere in the answer counts as a failed request.
            const failed = res.statusCode !== 200 || text.includes('"errors":[');
            if (measuring) {
              requests++;
              latencies.push(elapsed);
              bytes += text.length;
              const sql = res.headers["x-sql-statements"];
              if (typeof sql === "string") {
                statements += Number(sql);
                statementSamples++;
              }
              if (failed) {
                errors++;
                firstError ??= `${res.statusCode} ${text.slice(0, 300)}`;
              }
            }
            resolve();
          });
        },
      );
      req.on("error", (error) => {
        if (measuring) {
          errors++;
          firstError ??= error.message;
        }
        resolve();
      });
      req.end(body);
    });

  const connection = async () => {
    while (!stopped) await once(spec.bodies[next++ % spec.bodies.length]);
  };
  const running = Array.from({ length: spec.connections }, connection);
  await new Promise((r) => setTimeout(r, spec.warmupSeconds * 1000));
  measuring = true;
  const from = process.hrtime.bigint();
  const cpuFrom = process.cpuUsage();
  await new Promise((r) => setTimeout(r, spec.durationSeconds * 1000));
  measuring = false;
  const cpu = process.cpuUsage(cpuFrom);
  const seconds = Number(process.hrtime.bigint() - from) / 1e9;
  stopped = true;
  await Promise.all(running);
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests,
    errors,
    firstError,
    seconds,
    throughput: requests / seconds,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    sqlPerRequest: statementSamples ? statements / statementSamples : null,
    bytesPerResponse: requests ? bytes / requests : 0,
    loaderCpuPerRequest: requests ? (cpu.user + cpu.system) / 1000 / requests : null,
  };
}

process.once("message", (spec: LoadSpec) => {
  run(spec).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
