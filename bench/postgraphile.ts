import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort, startProcess, waitUntilReady } from "./target-process";

/**
 * PostGraphile 5 over the same database, as a comparison target: its own generated schema over
 * our tables (schema `public`, the amber preset, no watch mode), run by node directly so that
 * stopping it is killing its PID. It is installed apart from the project's dependencies, into
 * bench/.postgraphile, the first time it is needed.
 */

const ROOT = path.resolve(__dirname, "..");
const INSTALL_DIR = path.join(ROOT, "bench", ".postgraphile");
const PACKAGE_DIR = path.join(INSTALL_DIR, "node_modules", "postgraphile");
const POLYFILL = path.join(ROOT, "bench", "polyfill-with-resolvers.cjs");
const SPEC = "postgraphile@^5";

export interface PostGraphileTarget {
  name: string;
  url: string;
  /** The target's process, for its CPU time. */
  pid: number;
  stop(): Promise<void>;
  body(opts: { workspaceId: string; first: number; withTotalCount: boolean }): string;
  version: string;
}

/** The installed version, or undefined when PostGraphile 5 is not installed yet. */
function installedVersion(): string | undefined {
  try {
    const { version } = JSON.parse(readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string };
    return version.startsWith("5.") ? version : undefined;
  } catch {
    return undefined;
  }
}

async function install(log: (line: string) => void): Promise<void> {
  mkdirSync(INSTALL_DIR, { recursive: true });
  // A package.json of its own, so npm treats this folder as the project and never the repository's.
  const manifest = path.join(INSTALL_DIR, "package.json");
  if (!existsSync(manifest)) writeFileSync(manifest, `${JSON.stringify({ name: "bench-postgraphile", private: true }, null, 2)}\n`);
  log(`[postgraphile] installing ${SPEC} into ${path.relative(ROOT, INSTALL_DIR)}`);
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const npm = spawn("npm", ["install", "--prefix", INSTALL_DIR, "--no-save", "--no-audit", "--no-fund", SPEC], {
      cwd: INSTALL_DIR,
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    npm.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    npm.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    npm.once("error", reject);
    npm.once("exit", resolve);
  });
  const text = output.join("");
  // Node 20 is below PostGraphile's declared engine (the polyfill covers it); any other warning
  // is worth seeing, and a peer dependency overridden means a wrong major slipped in.
  for (const line of text.split("\n")) if (line.trim() && !line.includes("EBADENGINE")) log(`[postgraphile] npm: ${line}`);
  if (code !== 0) throw new Error(`npm install ${SPEC} failed with code ${code}`);
  if (text.includes("ERESOLVE")) throw new Error(`npm install ${SPEC} overrode a peer dependency (see the log)`);
  if (!installedVersion()) throw new Error(`npm install ${SPEC} did not install PostGraphile 5`);
}

/**
 * The inbox page in PostGraphile's generated schema (names read from its introspection):
 * `allTickets` with a condition on workspace and status and the order of our inbox index; each
 * ticket's contact with its URNs by priority then URN, its topic and its assignee; each edge's
 * cursor, as our inbox query asks for it too.
 */
function inboxQuery(withTotalCount: boolean): string {
  return `query Inbox($workspaceId: UUID!, $first: Int!) {
  allTickets(
    condition: { workspaceId: $workspaceId, status: "OPEN" }
    orderBy: [STATUS_DESC, LAST_ACTIVITY_AT_DESC, ROW_ID_DESC]
    first: $first
  ) {
    ${withTotalCount ? "totalCount" : ""}
    edges {
      cursor
      node {
        id
        lastActivityAt
        contactByContactId { name contactUrnsByContactId(orderBy: [PRIORITY_ASC, URN_ASC]) { nodes { urn } } }
        topicByTopicId { name }
        userByAssigneeId { name }
      }
    }
    pageInfo { endCursor hasNextPage }
  }
}`;
}

export async function startPostGraphile(opts: { databaseUrl: string; log: (line: string) => void }): Promise<PostGraphileTarget> {
  let version = installedVersion();
  if (!version) {
    await install(opts.log);
    version = installedVersion()!;
  }
  const port = await freePort();
  const proc = startProcess({
    name: "postgraphile",
    command: process.execPath,
    args: [
      path.join(PACKAGE_DIR, "dist", "cli-run.js"),
      "--preset",
      "postgraphile/presets/amber",
      "--connection",
      opts.databaseUrl,
      "--schema",
      "public",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    // Its own folder, so no graphile.config file of anyone else's is picked up.
    cwd: INSTALL_DIR,
    // Only the polyfill: whatever runs the benchmark (a TypeScript loader, say) stays out of it.
    env: { ...process.env, NODE_OPTIONS: `--require "${POLYFILL}"`, NODE_ENV: "production", GRAPHILE_ENV: "production" },
    log: opts.log,
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const probe = async () => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    return res.ok && ((await res.json()) as { data?: { __typename?: string } }).data?.__typename === "Query";
  };
  await waitUntilReady(proc, "PostGraphile", probe, 60);
  const queries = { with: inboxQuery(true), without: inboxQuery(false) };
  return {
    name: `PostGraphile ${version}`,
    url,
    version,
    pid: proc.child.pid!,
    stop: () => proc.stop(),
    body: ({ workspaceId, first, withTotalCount }) =>
      JSON.stringify({ query: withTotalCount ? queries.with : queries.without, variables: { workspaceId, first } }),
  };
}
