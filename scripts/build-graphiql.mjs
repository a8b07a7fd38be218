// Bundles the offline GraphiQL page (web/graphiql) into dist/graphiql.
//
//   node scripts/build-graphiql.mjs            build unless the output is up to date
//   node scripts/build-graphiql.mjs --force    always build
//
// Output, every file named after its content's hash so that it can be cached for good:
// index-<hash>.js / index-<hash>.css (entry), *.worker-<hash>.js (Monaco workers, loaded as
// module workers relative to index.js, which learns their names at build time), assets/*
// (fonts); beside each, a brotli (.br) and a gzip (.gz) copy; and manifest.json, which names
// the entry files and lists every file the server may serve, with the encodings it has.
// No code splitting: esbuild would not load the CSS of lazily imported chunks
// (Monaco is imported lazily by @graphiql/react), so everything goes in index.*.
import { build } from "esbuild";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import zlib from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "web", "graphiql");
const finalDir = join(root, "dist", "graphiql");
const stampFile = join(finalDir, ".build-stamp");
// Built beside the final directory and swapped in whole, so that a server reading the bundle, or
// another build running at the same time (two test files at once), never sees half of one.
const outDir = join(root, "dist", `.graphiql-build-${process.pid}`);
const force = process.argv.includes("--force");

async function newestMtime(path) {
  const info = await stat(path).catch(() => undefined);
  if (!info) return Infinity; // a missing input: rebuild
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) {
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  }
  return newest;
}

async function upToDate() {
  const built = await stat(stampFile).then((s) => s.mtimeMs, () => 0);
  if (!built) return false;
  const inputs = [srcDir, join(root, "package-lock.json"), fileURLToPath(import.meta.url)];
  const newest = Math.max(...(await Promise.all(inputs.map(newestMtime))));
  return built > newest;
}

if (!force && (await upToDate())) {
  console.log(`graphiql: ${relative(root, finalDir)} is up to date (use --force to rebuild)`);
  process.exit(0);
}

// The Monaco packages are dependencies of @graphiql/react; resolve them from there so
// the build does not depend on how npm hoisted them.
const requireFromReact = createRequire(createRequire(import.meta.url).resolve("@graphiql/react/package.json"));
const packageDir = (name) => dirname(requireFromReact.resolve(`${name}/package.json`));

const started = Date.now();
// A build that fails leaves no half-built directory behind (after the swap, there is none to remove).
process.on("exit", () => rmSync(outDir, { recursive: true, force: true }));
await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
const common = {
  absWorkingDir: root,
  outdir: outDir,
  entryNames: "[name]-[hash]",
  assetNames: "assets/[name]-[hash]",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "linked",
  logLevel: "warning",
  metafile: true,
};
/** The files a build wrote, relative to outDir. */
const outputsOf = (result) => Object.keys(result.metafile.outputs).map((file) => relative(outDir, join(root, file)));

// The workers first: index.js needs their hashed names.
const workers = await build({
  ...common,
  entryPoints: {
    "editor.worker": join(packageDir("monaco-editor"), "esm/vs/editor/editor.worker.js"),
    "json.worker": join(packageDir("monaco-editor"), "esm/vs/language/json/json.worker.js"),
    "graphql.worker": join(packageDir("monaco-graphql"), "esm/graphql.worker.js"),
  },
});
const workerFile = (name) => {
  const file = outputsOf(workers).find((f) => f.startsWith(`${name}-`) && f.endsWith(".js"));
  if (!file) throw new Error(`graphiql: the build wrote no ${name}`);
  return file;
};
const page = await build({
  ...common,
  entryPoints: { index: join(srcDir, "index.jsx") },
  jsx: "automatic",
  loader: { ".ttf": "file", ".graphql": "text" },
  define: {
    "process.env.NODE_ENV": '"production"',
    HANDOVER_GRAPHIQL_WORKERS: JSON.stringify({
      editor: workerFile("editor.worker"),
      json: workerFile("json.worker"),
      graphql: workerFile("graphql.worker"),
    }),
  },
});

// Precompressed copies, served by content negotiation (src/http/graphiql.ts). Brotli quality 9:
// 11 makes index.js 9% smaller (1.11 instead of 1.22 MB) but takes ten seconds more per build.
const COMPRESSIBLE = new Set([".js", ".css", ".txt", ".ttf", ".svg", ".json"]);
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const files = {};
await Promise.all(
  [...outputsOf(workers), ...outputsOf(page)].map(async (file) => {
    const content = await readFile(join(outDir, file));
    const entry = { bytes: content.length, encodings: {} };
    files[file] = entry;
    if (!COMPRESSIBLE.has(extname(file))) return;
    const [br, gz] = await Promise.all([
      brotli(content, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 9,
          [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length,
        },
      }),
      gzip(content, { level: 9 }),
    ]);
    // A compressed copy that saves nothing is not worth a second variant.
    if (br.length < content.length) {
      await writeFile(join(outDir, `${file}.br`), br);
      entry.encodings.br = br.length;
    }
    if (gz.length < content.length) {
      await writeFile(join(outDir, `${file}.gz`), gz);
      entry.encodings.gzip = gz.length;
    }
  }),
);
const entryFile = (ext) => {
  const file = outputsOf(page).find((f) => basename(f).startsWith("index-") && f.endsWith(ext));
  if (!file) throw new Error(`graphiql: the build wrote no index${ext}`);
  return file;
};
const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
await writeFile(
  join(outDir, "manifest.json"),
  `${JSON.stringify({ script: entryFile(".js"), style: entryFile(".css"), files: sorted }, null, 2)}\n`,
);

await writeFile(join(outDir, ".build-stamp"), `${new Date().toISOString()}\n`);
const previous = `${outDir}-previous`;
const moved = await rename(finalDir, previous).then(
  () => true,
  (error) => {
    if (error.code !== "ENOENT") throw error;
    return false;
  },
);
try {
  await rename(outDir, finalDir);
} catch (error) {
  // Another build put its own in place meanwhile, from the same inputs: keep that one.
  if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
  await rm(outDir, { recursive: true, force: true });
}
if (moved) await rm(previous, { recursive: true, force: true });
const sum = (pick) => Object.values(files).reduce((total, f) => total + pick(f), 0);
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
console.log(
  `graphiql: built ${relative(root, finalDir)} (${Object.keys(files).length} files, ${mib(sum((f) => f.bytes))}; ` +
    `brotli ${mib(sum((f) => f.encodings.br ?? f.bytes))}, gzip ${mib(sum((f) => f.encodings.gzip ?? f.bytes))}) ` +
    `in ${Date.now() - started} ms`,
);
