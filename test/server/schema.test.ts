import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { RESOLVERS } from "../../src/resolvers";
import { isObjectType } from "graphql";
import { buildHandoverSchema, isPlainRead, printHandoverSchema } from "../../src/schema/build-schema";

const root = path.resolve(__dirname, "..", "..");
const contractTool = process.env.CONTRACT_TOOL ?? path.resolve(root, "..", "shared", "tools", "check-contract.mjs");

describe("schema.graphql", () => {
  it("is what the code builds (run `npm run schema:emit` after changing the API)", async () => {
    const built = printHandoverSchema(await buildHandoverSchema(RESOLVERS));
    const committed = readFileSync(path.join(root, "schema.graphql"), "utf8");
    expect(committed).toBe(built);
  });

  it("shows who may use each restricted operation, as @auth and as a Requires line", () => {
    const sdl = readFileSync(path.join(root, "schema.graphql"), "utf8");
    expect(sdl).toMatch(/viewer: Viewer! @auth\(requires: \[ADMINISTRATOR, EDITOR, AGENT\]\)/);
    expect(sdl).toMatch(/Requires: any member \(ADMINISTRATOR, EDITOR, AGENT\)\.\s+"""\s+viewer: Viewer!/);
    expect(sdl).toMatch(/logIn\(input: LogInInput!\): AuthPayload!\n/);
  });

  /**
   * Plain fields skip type-graphql's wrapper, and with it the auth checker: every field of every
   * object type that carries a rule (@auth, @contactFieldAccess) must keep its resolver.
   */
  it("reads a field straight off its object only when no rule is attached to it", async () => {
    const schema = await buildHandoverSchema(RESOLVERS);
    const ruled: string[] = [];
    const plain: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__")) continue;
      for (const field of Object.values(type.getFields())) {
        const rules = (field.astNode?.directives ?? []).filter((d) => d.name.value === "auth" || d.name.value === "contactFieldAccess");
        if (isPlainRead(field.resolve)) plain.push(`${type.name}.${field.name}`);
        if (rules.length > 0) ruled.push(`${type.name}.${field.name}`);
      }
    }
    expect(ruled.length).toBeGreaterThan(50);
    expect(ruled.filter((name) => plain.includes(name))).toEqual([]);
    // What the inbox reads most is read plainly; fields with resolver methods are not.
    expect(plain).toEqual(expect.arrayContaining(["Ticket.status", "Ticket.lastActivityAt", "TicketEdge.cursor", "PageInfo.hasNextPage"]));
    expect(plain).not.toContain("Ticket.contact");
    expect(plain).not.toContain("Query.viewer");
  });

  /**
   * The public contract: nothing it names may go missing. Names not built yet are listed in
   * contract-pending.txt; the list may only shrink, and an entry that is now built must go.
   */
  it("keeps every name of the API contract that has been built", () => {
    if (!existsSync(contractTool)) throw new Error(`contract checker not found at ${contractTool} (set CONTRACT_TOOL)`);
    let output: string;
    try {
      output = execFileSync("node", [contractTool, path.join(root, "schema.graphql")], { cwd: root, encoding: "utf8" });
    } catch (error) {
      output = (error as { stdout: string }).stdout;
    }
    const missing = output
      .split("\n")
      .filter((l) => l.startsWith("MISSING: "))
      .map((l) => l.slice("MISSING: ".length))
      .sort();
    const pending = readFileSync(path.join(__dirname, "..", "contract-pending.txt"), "utf8")
      .split("\n")
      .filter(Boolean)
      .sort();
    expect(missing.filter((m) => !pending.includes(m))).toEqual([]);
    expect(pending.filter((p) => !missing.includes(p))).toEqual([]);
  });
});
