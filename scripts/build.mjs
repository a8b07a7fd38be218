// Builds what `node dist/src/main.js` runs: compiles the server's TypeScript (src/, scripts/,
// ormconfig.ts) into dist/ with swc, as the tests and `npm run dev` run it (.swcrc: decorators
// and their metadata, CommonJS, ES2022); initialises the embedded database's template cluster
// (dist/pglite-template, once per PGlite version); then the GraphiQL page
// (scripts/build-graphiql.mjs, which skips a bundle that is up to date).
//
//   node scripts/build.mjs              `npm run build`, and the first step of `npm start`
//   node scripts/build.mjs --prepare    `npm install` (the prepare script): the same, unless the
//                                       dev dependencies are not installed (--omit=dev)
//
// When no source, .swcrc or this script has changed since the last compile (size and mtime of
// each, recorded in dist/.compile-manifest.json), nothing is compiled. Otherwise every file is
// (a whole compile takes well under a second) and written only when its output changed; outputs
// whose source is gone are removed. swc does not type-check: `npm run typecheck` (part of
// `npm test`) does.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

if (process.argv.includes("--prepare")) {
  try {
    const require = createRequire(import.meta.url);
    require.resolve("@swc/core");
    require.resolve("esbuild");
  } catch {
    console.log("build: skipped, the dev dependencies are not installed (npm start needs them)");
    process.exit(0);
  }
}

const outRoot = join(root, "dist");
/** What `node dist/src/main.js` needs, and the scripts, as tsconfig.build.json includes them. */
const SOURCE_DIRS = ["src", "scripts"];
const SOURCE_FILES = ["ormconfig.ts"];

async function tsFilesUnder(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await tsFilesUnder(path)));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) found.push(path);
  }
  return found;
}

async function filesUnder(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else found.push(path);
  }
  return found;
}

const started = Date.now();
const swcrcText = await readFile(join(root, ".swcrc"), "utf8");
const sources = [
  ...(await Promise.all(SOURCE_DIRS.map((dir) => tsFilesUnder(join(root, dir))))).flat(),
  ...SOURCE_FILES.map((file) => join(root, file)).filter((file) => existsSync(file)),
].sort();
const outputOf = (source) => join(outRoot, relative(root, source)).replace(/\.ts$/, ".js");

const manifestFile = join(outRoot, ".compile-manifest.json");
const manifest = JSON.stringify({
  settings: createHash("sha256")
    .update(swcrcText)
    .update(await readFile(fileURLToPath(import.meta.url)))
    .digest("hex"),
  sources: Object.fromEntries(
    await Promise.all(
      sources.map(async (source) => {
        const { size, mtimeMs } = await stat(source);
        return [relative(root, source), `${size}:${mtimeMs}`];
      }),
    ),
  ),
});
const compiled =
  (await readFile(manifestFile, "utf8").catch(() => "")) === manifest && sources.every((source) => existsSync(outputOf(source)));
if (!compiled) await compile();

async function compile() {
  const { transform } = await import("@swc/core");
  const swcrc = JSON.parse(swcrcText);

  const wanted = new Set();
  let written = 0;
  let failed = 0;
  await Promise.all(
    sources.map(async (source) => {
      const out = outputOf(source);
      wanted.add(out);
      wanted.add(`${out}.map`);
      let result;
      try {
        result = await transform(await readFile(source, "utf8"), {
          ...swcrc,
          swcrc: false,
          configFile: false,
          filename: source,
          sourceMaps: true,
          sourceFileName: relative(dirname(out), source).split(sep).join("/"),
        });
      } catch (error) {
        failed++;
        console.error(`compile: ${relative(root, source)}: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      const code = `${result.code}\n//# sourceMappingURL=${basename(out)}.map\n`;
      for (const [file, content] of [
        [out, code],
        [`${out}.map`, result.map ?? ""],
      ]) {
        const before = await readFile(file, "utf8").catch(() => undefined);
        if (before === content) continue;
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, content);
        written++;
      }
    }),
  );
  if (failed > 0) {
    console.error(`compile: ${failed} file(s) failed`);
    process.exit(1);
  }

  // Outputs of sources that are gone (a removed or renamed file) would otherwise linger in dist/.
  const outputs = [
    ...(await Promise.all(SOURCE_DIRS.map((dir) => filesUnder(join(outRoot, dir))))).flat(),
    ...SOURCE_FILES.flatMap((file) => {
      const out = join(outRoot, file.replace(/\.ts$/, ".js"));
      return [out, `${out}.map`];
    }),
  ];
  let removed = 0;
  for (const file of outputs) {
    if (/\.js(\.map)?$/.test(file) && !wanted.has(file) && existsSync(file)) {
      await rm(file, { force: true });
      removed++;
    }
  }

  if (written > 0 || removed > 0) {
    console.log(`compile: ${sources.length} files into dist/ (${written} written, ${removed} removed) in ${Date.now() - started} ms`);
  }
  await writeFile(manifestFile, manifest);
}

// A brand-new embedded database would run initdb: about 5 s of CPU, most of a first start. A
// cluster initialised here and cleanly closed is copied instead (src/startup/data-dir.ts checks
// that the installed PGlite made it). A failure here only costs the first start that time.
async function pgliteTemplate() {
  let dir = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  let version;
  for (; dirname(dir) !== dir && version === undefined; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (!existsSync(pkg)) continue;
    const { name, version: found } = JSON.parse(readFileSync(pkg, "utf8"));
    if (name === "@electric-sql/pglite") version = found;
  }
  const template = join(outRoot, "pglite-template");
  const stampFile = `${template}.json`;
  const stamp = await readFile(stampFile, "utf8").then(JSON.parse, () => ({}));
  if (version === undefined || (stamp.pglite === version && existsSync(join(template, "PG_VERSION")))) return;
  const began = Date.now();
  const staging = `${template}.tmp-${process.pid}`;
  try {
    await rm(staging, { recursive: true, force: true });
    const { PGlite } = await import("@electric-sql/pglite");
    const db = await PGlite.create({ dataDir: staging });
    await db.close();
    await rm(stampFile, { force: true });
    await rm(template, { recursive: true, force: true });
    await rename(staging, template);
    await writeFile(stampFile, `${JSON.stringify({ pglite: version })}\n`);
    console.log(`embedded database: template cluster for PGlite ${version} in ${Date.now() - began} ms`);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    console.warn(
      `embedded database: no template cluster (${error instanceof Error ? error.message : String(error)}); a new DATA_DIR runs initdb`,
    );
  }
}
await pgliteTemplate();

const graphiql = spawnSync(process.execPath, [join(root, "scripts", "build-graphiql.mjs")], { stdio: "inherit" });
if (graphiql.status !== 0) process.exit(graphiql.status ?? 1);
