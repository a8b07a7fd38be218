import express from "express";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Serves the offline GraphiQL page bundled by `scripts/build-graphiql.mjs`. */
export interface GraphiqlOptions {
  /** URL path (or absolute URL) of the GraphQL endpoint, e.g. "/graphql". */
  endpoint: string;
  /** Directory holding the built bundle. Default: `<project root>/dist/graphiql`. */
  assetsDir?: string;
  /** URL path the bundle is served under. Default: "/graphiql-assets". */
  assetsPath?: string;
}

const DEFAULT_ASSETS_PATH = "/graphiql-assets";
const ENTRY_JS = "index.js";
const ENTRY_CSS = "index.css";
// esbuild's `[name]-[hash]` asset names: the content hash is 8 base32 characters.
const HASHED_NAME = /-[A-Z2-7]{8}\.[a-z0-9]+$/;

let projectRoot: string | undefined;

/** The directory of the package.json named "handover", walking up from this file. */
function findProjectRoot(): string {
  if (projectRoot) return projectRoot;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkgFile = path.join(dir, "package.json");
    if (existsSync(pkgFile)) {
      const pkg: unknown = JSON.parse(readFileSync(pkgFile, "utf8"));
      if (typeof pkg === "object" && pkg !== null && "name" in pkg && pkg.name === "handover") {
        projectRoot = dir;
        return dir;
      }
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`graphiql: no package.json named "handover" above ${__dirname}`);
    }
  }
}

function resolveOptions(opts: GraphiqlOptions): { assetsDir: string; assetsPath: string } {
  return {
    assetsDir: opts.assetsDir ?? path.join(findProjectRoot(), "dist", "graphiql"),
    assetsPath: (opts.assetsPath ?? DEFAULT_ASSETS_PATH).replace(/\/+$/, ""),
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Serves the built bundle under `assetsPath`; unknown files there are a plain 404. */
export function graphiqlAssets(opts: GraphiqlOptions): express.RequestHandler {
  const { assetsDir, assetsPath } = resolveOptions(opts);
  const router = express.Router();
  router.use(
    assetsPath,
    express.static(assetsDir, {
      index: false,
      dotfiles: "ignore",
      setHeaders(res, file) {
        // Hashed names never change content; the fixed entry names are revalidated (ETag).
        res.setHeader("Cache-Control", HASHED_NAME.test(file) ? "public, max-age=31536000, immutable" : "no-cache");
      },
    }),
    (_req: express.Request, res: express.Response) => {
      res.status(404).type("text/plain").send("Not found\n");
    },
  );
  return router;
}

/** True for a browser-style GET (prefers HTML over JSON) that carries no `query` parameter. */
export function wantsGraphiql(req: express.Request): boolean {
  if (req.method !== "GET") return false;
  if (req.query.query !== undefined) return false;
  return req.accepts(["application/json", "text/html"]) === "text/html";
}

/** Sends the GraphiQL HTML page (503 if the bundle was not built). */
export function graphiqlPage(opts: GraphiqlOptions): express.RequestHandler {
  const { assetsDir, assetsPath } = resolveOptions(opts);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Handover GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeHtml(`${assetsPath}/${ENTRY_CSS}`)}">
<script type="module" src="${escapeHtml(`${assetsPath}/${ENTRY_JS}`)}"></script>
</head>
<body>
<div id="graphiql" data-endpoint="${escapeHtml(opts.endpoint)}">Loading GraphiQL…</div>
</body>
</html>
`;
  return (_req, res) => {
    res.vary("Accept");
    res.setHeader("Cache-Control", "no-cache");
    if (!existsSync(path.join(assetsDir, ENTRY_JS))) {
      res.status(503).type("text/plain").send("GraphiQL is not built: run npm run build:graphiql\n");
      return;
    }
    res.type("html").send(html);
  };
}
