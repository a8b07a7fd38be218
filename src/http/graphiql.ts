import express from "express";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { findProjectRoot } from "./project-root";

/** Serves the offline GraphiQL page bundled by `scripts/build-graphiql.mjs`. */
export interface GraphiqlOptions {
  /** URL path (or absolute URL) of the GraphQL endpoint, e.g. "/graphql". */
  endpoint: string;
  /** Directory holding the built bundle. Default: `<project root>/dist/graphiql`. */
  assetsDir?: string;
  /** URL path the bundle is served under. Default: "/graphiql-assets". */
  assetsPath?: string;
}

/** A content encoding a file of the bundle may have a precompressed copy in. */
export type Encoding = "br" | "gzip";

/** What the build wrote: `dist/graphiql/manifest.json`. */
export interface GraphiqlManifest {
  /** The entry files, relative to the bundle's directory. */
  script: string;
  style: string;
  /** Every file the server may serve, with its size and those of its precompressed copies. */
  files: Record<string, { bytes: number; encodings: Partial<Record<Encoding, number>> }>;
}

const DEFAULT_ASSETS_PATH = "/graphiql-assets";
const MANIFEST = "manifest.json";
/** The suffix of each encoding's precompressed copy, beside the file. */
const SUFFIX: Record<Encoding, string> = { br: ".br", gzip: ".gz" };
// esbuild's `[name]-[hash]` names: the content hash is 8 base32 characters.
const HASHED_NAME = /-[A-Z2-7]{8}\.[a-z0-9]+$/;
const IMMUTABLE = "public, max-age=31536000, immutable";

function resolveOptions(opts: GraphiqlOptions): { assetsDir: string; assetsPath: string } {
  return {
    assetsDir: opts.assetsDir ?? path.join(findProjectRoot(), "dist", "graphiql"),
    assetsPath: (opts.assetsPath ?? DEFAULT_ASSETS_PATH).replace(/\/+$/, ""),
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The bundle's manifest, read again whenever the build rewrites it (`npm run build:graphiql`
 * while the server runs); undefined while the bundle is not built.
 */
function manifestReader(assetsDir: string): () => GraphiqlManifest | undefined {
  let cached: { mtimeMs: number; manifest: GraphiqlManifest } | undefined;
  return () => {
    const file = path.join(assetsDir, MANIFEST);
    const mtimeMs = statSync(file, { throwIfNoEntry: false })?.mtimeMs;
    if (mtimeMs === undefined) return undefined;
    if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, manifest: JSON.parse(readFileSync(file, "utf8")) as GraphiqlManifest };
    return cached.manifest;
  };
}

/**
 * The encoding to answer `accept-encoding` with, among those a file has a copy in: brotli before
 * gzip when the client accepts both equally (browsers list gzip first, with the same weight),
 * else the one it weighs higher; "identity" when it accepts neither.
 */
export function negotiateEncoding(acceptEncoding: string | undefined, available: readonly Encoding[]): Encoding | "identity" {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [coding, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (!coding) continue;
    const q = params.find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(coding, Number.isFinite(weight) ? weight : 0);
  }
  let best: Encoding | "identity" = "identity";
  let bestWeight = 0;
  for (const coding of (["br", "gzip"] as const).filter((c) => available.includes(c))) {
    const weight = weights.get(coding) ?? weights.get("*") ?? 0;
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}

/**
 * Serves the built bundle under `assetsPath`: only the files its manifest lists (anything else is
 * a plain 404), each as the precompressed copy the client accepts (brotli, else gzip, else as
 * is), with `Vary: Accept-Encoding`. Files named by their content hash are cacheable for a year
 * (`immutable`); the others (license notes) are revalidated by ETag.
 */
export function graphiqlAssets(opts: GraphiqlOptions): express.RequestHandler {
  const { assetsDir, assetsPath } = resolveOptions(opts);
  const manifest = manifestReader(assetsDir);
  const notFound = (res: express.Response) => res.status(404).type("text/plain").send("Not found\n");
  const router = express.Router();
  router.use(assetsPath, (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    let name: string;
    try {
      name = decodeURIComponent(req.path).replace(/^\/+/, "");
    } catch {
      return notFound(res);
    }
    const files = manifest()?.files;
    const entry = files && Object.hasOwn(files, name) ? files[name] : undefined;
    if (!entry) return notFound(res);
    const encoding = negotiateEncoding(req.header("accept-encoding"), Object.keys(entry.encodings) as Encoding[]);
    res.vary("Accept-Encoding");
    res.setHeader("Cache-Control", HASHED_NAME.test(name) ? IMMUTABLE : "no-cache");
    // The type of the file itself, not of its compressed copy (send keeps a type already set).
    res.type(path.extname(name));
    if (encoding !== "identity") res.setHeader("Content-Encoding", encoding);
    const file = encoding === "identity" ? name : `${name}${SUFFIX[encoding]}`;
    // No ranges: a range of a compressed copy is rarely what a client means, and nothing here needs one.
    res.sendFile(file, { root: assetsDir, dotfiles: "deny", cacheControl: false, acceptRanges: false }, (error?: Error) => {
      if (!error) return;
      if (res.headersSent) return next(error);
      res.removeHeader("Content-Encoding");
      res.removeHeader("Cache-Control");
      notFound(res);
    });
  });
  return router;
}

/** True for a browser-style GET (prefers HTML over JSON) that carries no `query` parameter. */
export function wantsGraphiql(req: express.Request): boolean {
  if (req.method !== "GET") return false;
  if (req.query.query !== undefined) return false;
  return req.accepts(["application/json", "text/html"]) === "text/html";
}

/**
 * Sends the GraphiQL HTML page (503 if the bundle was not built). The page is revalidated on
 * every visit (ETag), so it always names the current build's hashed files.
 */
export function graphiqlPage(opts: GraphiqlOptions): express.RequestHandler {
  const { assetsDir, assetsPath } = resolveOptions(opts);
  const manifest = manifestReader(assetsDir);
  const html = (m: GraphiqlManifest) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Handover GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeHtml(`${assetsPath}/${m.style}`)}">
<script type="module" src="${escapeHtml(`${assetsPath}/${m.script}`)}"></script>
</head>
<body>
<div id="graphiql" data-endpoint="${escapeHtml(opts.endpoint)}">Loading GraphiQL…</div>
</body>
</html>
`;
  return (_req, res) => {
    res.vary("Accept");
    res.setHeader("Cache-Control", "no-cache");
    const built = manifest();
    if (!built) {
      res.status(503).type("text/plain").send("GraphiQL is not built: run npm run build:graphiql\n");
      return;
    }
    res.type("html").send(html(built));
  };
}
