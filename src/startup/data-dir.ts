import fs from "node:fs";
import path from "node:path";
import { DataDirInUseError, startEmbeddedDatabase, type EmbeddedDatabase } from "../db/embedded";
import { findProjectRoot } from "../http/project-root";

/** The driver's "ENOTDIR: not a directory, mkdir '/a/b'" as one line. */
function causeOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim();
}

/**
 * `mkdir -p`, one folder at a time from the nearest one that exists. (Node 20's recursive
 * mkdirSync never returns for a path under /proc, where mkdir fails with ENOENT.)
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/**
 * Makes sure `dataDir/sub` (DATA_DIR or a folder under it) exists and this process may write in
 * it: creates it with its parents, then writes and removes a small file. Throws one line naming
 * DATA_DIR, the folder and the cause (a parent that is a file, no permission, a read-only disk).
 */
export function ensureWritableDataDir(dataDir: string, sub = "."): void {
  const folder = path.resolve(dataDir, sub);
  const problem = (what: string, error: unknown) =>
    new Error(
      `DATA_DIR=${dataDir}: the folder ${folder} cannot be ${what} (${causeOf(error)}); set DATA_DIR to a folder this user may write`,
      {
        cause: error,
      },
    );
  try {
    makeFolders(folder);
  } catch (error) {
    throw problem("created", error);
  }
  const probe = path.join(folder, `.write-check-${process.pid}`);
  try {
    fs.writeFileSync(probe, "");
    fs.rmSync(probe, { force: true });
  } catch (error) {
    throw problem("written", error);
  }
}

/** The installed PGlite's version (its package.json is not exported: found above its entry point). */
function pgliteVersion(): string | undefined {
  for (let dir = path.dirname(require.resolve("@electric-sql/pglite")); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
    if (pkg.name === "@electric-sql/pglite") return typeof pkg.version === "string" ? pkg.version : undefined;
  }
  return undefined;
}

/**
 * The initialised cluster the build leaves in dist/pglite-template (scripts/build.mjs), when the
 * installed PGlite made it: a brand-new DATA_DIR starts from a copy of it instead of initdb.
 */
export function embeddedTemplate(): string | undefined {
  try {
    const dir = path.join(findProjectRoot(), "dist", "pglite-template");
    const stamp = JSON.parse(fs.readFileSync(`${dir}.json`, "utf8")) as { pglite?: unknown };
    const version = pgliteVersion();
    return version !== undefined && stamp.pglite === version ? dir : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens the embedded database under DATA_DIR/pglite, saying in one line what is wrong with
 * DATA_DIR when it cannot be used: a folder that cannot be created or written, or one that
 * another running server holds.
 */
export async function startEmbeddedDatabaseIn(dataDir: string, maxConnections: number): Promise<EmbeddedDatabase> {
  const dir = path.join(dataDir, "pglite");
  ensureWritableDataDir(dataDir, "pglite");
  try {
    return await startEmbeddedDatabase({ dataDir: dir, maxConnections, template: embeddedTemplate() });
  } catch (error) {
    if (error instanceof DataDirInUseError && error.ownerPid !== process.pid) {
      throw new Error(
        `DATA_DIR=${dataDir}: the embedded database in ${dir} is in use by another running Handover (process ${error.ownerPid}); ` +
          "stop it, or give this server its own DATA_DIR (or a DATABASE_URL)",
        { cause: error },
      );
    }
    throw error;
  }
}
