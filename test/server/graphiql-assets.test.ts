// The GraphiQL bundle as the network sees it: compressed, cacheable, and only the files the build
// lists; the page's example operations; the redirect from /.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import { parse, validate } from "graphql";
import type { GraphiqlManifest } from "../../src/http/graphiql";
import { negotiateEncoding } from "../../src/http/graphiql";
import { startTestServer, type TestServer } from "../support/harness";

const ROOT = path.join(__dirname, "..", "..");
const BUNDLE = path.join(ROOT, "dist", "graphiql");
const CHROME = "gzip, deflate, br, zstd";

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as it came over the wire, not decoded. */
  body: Buffer;
}

/** A GET (or HEAD) whose body is kept as sent: fetch would decode it. */
function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

let srv: TestServer;
let manifest: GraphiqlManifest;
/** The asset URLs the GraphiQL page names. */
let script: string;
let style: string;

beforeAll(async () => {
  // Fast no-op when dist/graphiql is newer than its inputs.
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "build-graphiql.mjs")], { stdio: "inherit" });
  manifest = JSON.parse(readFileSync(path.join(BUNDLE, "manifest.json"), "utf8")) as GraphiqlManifest;
  srv = await startTestServer();
  const html = await (await fetch(srv.graphqlUrl, { headers: { accept: "text/html" } })).text();
  script = /<script type="module" src="([^"]+)"/.exec(html)![1];
  style = /<link rel="stylesheet" href="([^"]+)"/.exec(html)![1];
});
afterAll(async () => {
  await srv?.close();
});

describe("the GraphiQL bundle", () => {
  it("is named by content hash, and the page names the current build's files", () => {
    expect(script).toBe(`/graphiql-assets/${manifest.script}`);
    expect(style).toBe(`/graphiql-assets/${manifest.style}`);
    expect(manifest.script).toMatch(/^index-[A-Z2-7]{8}\.js$/);
    expect(manifest.style).toMatch(/^index-[A-Z2-7]{8}\.css$/);
    const workers = Object.keys(manifest.files).filter((f) => f.includes(".worker-") && f.endsWith(".js"));
    expect(workers.map((f) => f.replace(/-[A-Z2-7]{8}\.js$/, "")).sort()).toEqual(["editor.worker", "graphql.worker", "json.worker"]);
    // index.js loads the workers by their hashed names.
    const js = readFileSync(path.join(BUNDLE, manifest.script), "utf8");
    for (const worker of workers) expect(js).toContain(worker);
  });

  it("is sent brotli-compressed to browsers, gzip to clients without brotli, as is to the others", async () => {
    const url = `${srv.url}${script}`;
    const plain = await get(url);
    const br = await get(url, { "accept-encoding": CHROME });
    const gzip = await get(url, { "accept-encoding": "gzip, deflate" });
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers["content-type"]).toMatch(/^(text|application)\/javascript/);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers["content-type"]).toBe(plain.headers["content-type"]);
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    for (const res of [plain, br, gzip]) {
      expect(res.headers.vary).toMatch(/accept-encoding/i);
      expect(Number(res.headers["content-length"])).toBe(res.body.length);
    }
    expect(zlib.brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(zlib.gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    // 5.2 MB as is; about a quarter of it compressed.
    expect(plain.body.length).toBeGreaterThan(4_000_000);
    expect(br.body.length).toBeLessThan(plain.body.length * 0.3);
    expect(gzip.body.length).toBeLessThan(plain.body.length * 0.35);
    console.log(
      `index.js: ${plain.body.length} bytes as is, ${br.body.length} brotli (${((100 * br.body.length) / plain.body.length).toFixed(1)}%), ` +
        `${gzip.body.length} gzip (${((100 * gzip.body.length) / plain.body.length).toFixed(1)}%)`,
    );
  });

  it("weighs the client's preferences", async () => {
    const url = `${srv.url}${script}`;
    const encodingFor = async (acceptEncoding: string) => (await get(url, { "accept-encoding": acceptEncoding })).headers["content-encoding"];
    expect(await encodingFor("br;q=0, gzip")).toBe("gzip");
    expect(await encodingFor("gzip;q=1, br;q=0.5")).toBe("gzip");
    expect(await encodingFor("*")).toBe("br");
    expect(await encodingFor("identity")).toBeUndefined();
    expect(await encodingFor("deflate")).toBeUndefined();
    expect(negotiateEncoding("br", ["gzip"])).toBe("identity");
    expect(negotiateEncoding("GZIP ; q=0.8, BR ; q=0.7", ["br", "gzip"])).toBe("gzip");
    expect(negotiateEncoding("*;q=0.5, br;q=0", ["br", "gzip"])).toBe("gzip");
    expect(negotiateEncoding("br;q=nonsense, gzip", ["br", "gzip"])).toBe("gzip");
  });

  it("is cacheable: a year and immutable for hashed files, revalidated for the rest, the page included", async () => {
    for (const file of Object.keys(manifest.files)) {
      const res = await get(`${srv.url}/graphiql-assets/${file}`, { "accept-encoding": CHROME }, "HEAD");
      expect([file, res.status]).toEqual([file, 200]);
      const hashed = /-[A-Z2-7]{8}\.[a-z0-9]+$/.test(file);
      expect([file, res.headers["cache-control"]]).toEqual([file, hashed ? "public, max-age=31536000, immutable" : "no-cache"]);
      expect(res.headers.etag).toBeTruthy();
    }
    const legal = Object.keys(manifest.files).find((f) => f.endsWith(".LEGAL.txt"))!;
    const first = await get(`${srv.url}/graphiql-assets/${legal}`, { "accept-encoding": CHROME });
    const again = await get(`${srv.url}/graphiql-assets/${legal}`, { "accept-encoding": CHROME, "if-none-match": first.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);

    const page = await get(srv.graphqlUrl, { accept: "text/html" });
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers.etag).toBeTruthy();
    const revalidated = await get(srv.graphqlUrl, { accept: "text/html", "if-none-match": page.headers.etag! });
    expect(revalidated.status).toBe(304);
  });

  it("serves only the files the build lists", async () => {
    const listed = new Set(Object.keys(manifest.files));
    const onDisk = readdirSync(BUNDLE, { recursive: true, encoding: "utf8" });
    const unlisted = onDisk.filter((f) => !listed.has(f) && f !== "assets");
    expect(unlisted).toEqual(expect.arrayContaining([`${manifest.script}.br`, `${manifest.script}.gz`, "manifest.json", ".build-stamp"]));
    for (const file of [...unlisted, "../package.json", "..%2fpackage.json", "%2e%2e/%2e%2e/package.json", "nothing.js", "%E0%A4%A"]) {
      const res = await get(`${srv.url}/graphiql-assets/${file}`);
      expect([file, res.status]).toEqual([file, 404]);
      expect(res.headers["content-encoding"]).toBeUndefined();
    }
  });
});

describe("the GraphiQL page's example operations", () => {
  it("are valid operations of the schema", () => {
    const dir = path.join(ROOT, "web", "graphiql", "examples");
    const files = readdirSync(dir).filter((f) => f.endsWith(".graphql"));
    expect(files.sort()).toEqual(["inbox.graphql", "log-in.graphql", "ticket-events.graphql", "ticket-thread.graphql"]);
    for (const file of files) {
      const errors = validate(srv.server.schema, parse(readFileSync(path.join(dir, file), "utf8")));
      expect([file, errors.map((e) => e.message)]).toEqual([file, []]);
    }
  });
});

describe("the server's address", () => {
  it("leads a browser to GraphiQL", async () => {
    const res = await fetch(`${srv.url}/`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/graphql");
  });
});
