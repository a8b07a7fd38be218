// The typed example client of examples/client: its graphql-codegen configuration generates from
// the committed schema.graphql exactly what is committed beside it, and the client compiles
// with `tsc --strict` against it; a wrong use of a generated type does not compile.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.join(__dirname, "..", "..");
const clientDir = path.join(root, "examples", "client");
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");

/** Runs tsc on a project; returns what it printed, and whether it passed. */
function compile(project: string): { passed: boolean; output: string } {
  try {
    return { passed: true, output: execFileSync(process.execPath, [tsc, "-p", project], { cwd: root, encoding: "utf8" }) };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { passed: false, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

it("generates from the committed schema exactly the committed types (npm run codegen after a schema change)", () => {
  // The configuration as documented, run by the CLI in a copy of what it reads, so that the
  // committed files are compared, not overwritten.
  const copy = mkdtempSync(path.join(os.tmpdir(), "handover-codegen-"));
  try {
    mkdirSync(path.join(copy, "examples", "client"), { recursive: true });
    copyFileSync(path.join(root, "schema.graphql"), path.join(copy, "schema.graphql"));
    for (const file of readdirSync(clientDir).filter((f) => f.endsWith(".ts"))) {
      copyFileSync(path.join(clientDir, file), path.join(copy, "examples", "client", file));
    }
    symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
    execFileSync(path.join(root, "node_modules", ".bin", "graphql-codegen"), ["--config", "examples/client/codegen.ts", "--silent"], {
      cwd: copy,
      encoding: "utf8",
    });
    const generated = path.join(copy, "examples", "client", "generated");
    const files = readdirSync(generated).sort();
    expect(files).toEqual(readdirSync(path.join(clientDir, "generated")).sort());
    expect(files).toEqual(expect.arrayContaining(["graphql.ts", "gql.ts", "schema-types.ts"]));
    for (const file of files) {
      expect({ file, content: readFileSync(path.join(clientDir, "generated", file), "utf8") }).toEqual({
        file,
        content: readFileSync(path.join(generated, file), "utf8"),
      });
    }
    // The scalars map as the configuration says: DateTime to string, JSON to unknown.
    const schemaTypes = readFileSync(path.join(generated, "schema-types.ts"), "utf8");
    expect(schemaTypes).toMatch(/DateTime: \{ input: string; output: string; \}/);
    expect(schemaTypes).toMatch(/JSON: \{ input: unknown; output: unknown; \}/);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}, 120_000);

it("compiles the example client with tsc --strict", () => {
  const result = compile(clientDir);
  expect(result.output).toBe("");
  expect(result.passed).toBe(true);
}, 120_000);

it("does not compile a wrong use of a generated type", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "handover-typed-client-"));
  try {
    writeFileSync(
      path.join(dir, "wrong.ts"),
      `import type { InboxQuery } from ${JSON.stringify(path.join(clientDir, "generated", "graphql"))};
declare const data: InboxQuery;
export const status: number = data.tickets.edges[0].node.status;
export const missing = data.tickets.edges[0].node.subject;
`,
    );
    writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({ extends: path.join(clientDir, "tsconfig.json"), include: [path.join(dir, "wrong.ts")] }),
    );
    const result = compile(dir);
    expect(result.passed).toBe(false);
    expect(result.output).toMatch(/wrong\.ts\(3,14\): error TS2322/);
    expect(result.output).toMatch(/wrong\.ts\(4,\d+\): error TS2339: Property 'subject' does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
