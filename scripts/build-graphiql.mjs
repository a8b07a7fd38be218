// Bundles the offline GraphiQL page (web/graphiql) into dist/graphiql.
//
//   node scripts/build-graphiql.mjs            build unless the output is up to date
//   node scripts/build-graphiql.mjs --force    always build
//
// Output: index.js / index.css (entry), *.worker.js (Monaco workers, loaded as
// module workers relative to index.js) and assets/* (content-hashed fonts).
// No code splitting: esbuild would not load the CSS of lazily imported chunks
// (Monaco is imported lazily by @graphiql/react), so everything goes in index.*.
import { build } from "esbuild";
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "web", "graphiql");
const outDir = join(root, "dist", "graphiql");
const stampFile = join(outDir, ".build-stamp");
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
  console.log(`graphiql: ${relative(root, outDir)} is up to date (use --force to rebuild)`);
  process.exit(0);
}

// The Monaco packages are dependencies of @graphiql/react; resolve them from there so
// the build does not depend on how npm hoisted them.
const requireFromReact = createRequire(createRequire(import.meta.url).resolve("@graphiql/react/package.json"));
const packageDir = (name) => dirname(requireFromReact.resolve(`${name}/package.json`));

const started = Date.now();
await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    index: join(srcDir, "index.jsx"),
    "editor.worker": join(packageDir("monaco-editor"), "esm/vs/editor/editor.worker.js"),
    "json.worker": join(packageDir("monaco-editor"), "esm/vs/language/json/json.worker.js"),
    "graphql.worker": join(packageDir("monaco-graphql"), "esm/graphql.worker.js"),
  },
  outdir: outDir,
  entryNames: "[name]",
  assetNames: "assets/[name]-[hash]",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "linked",
  jsx: "automatic",
  loader: { ".ttf": "file" },
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
  metafile: true,
});

await writeFile(stampFile, `${new Date().toISOString()}\n`);
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(
  `graphiql: built ${relative(root, outDir)} (${Object.keys(result.metafile.outputs).length} files, ` +
    `${(bytes / 1024 / 1024).toFixed(1)} MiB) in ${Date.now() - started} ms`,
);
