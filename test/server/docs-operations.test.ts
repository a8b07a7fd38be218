// Every GraphQL block of the README and docs/ is an operation a client can paste: one named
// operation, valid against schema.graphql, with variables instead of placeholders in its text
// (the ```json block after it, when there is one, holds values of the right types), and every
// object a mutation returns selects its id, so that a normalised cache updates it in place.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  buildSchema,
  getNamedType,
  getVariableValues,
  type GraphQLSchema,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
} from "graphql";

const root = path.join(__dirname, "..", "..");
const schema: GraphQLSchema = buildSchema(readFileSync(path.join(root, "schema.graphql"), "utf8"));

interface Block {
  where: string;
  text: string;
  variables?: string;
}

/** The ```graphql blocks of a Markdown file, each with the ```json block right after it, if any. */
function blocksOf(file: string): Block[] {
  const source = readFileSync(path.join(root, file), "utf8");
  // Fences at any indentation (a block inside a list item), closed at the same one.
  const fence = /^( *)```(\w*)\n([\s\S]*?)^\1```$/gm;
  const fences: Array<{ lang: string; text: string; line: number; end: number; start: number }> = [];
  for (let m = fence.exec(source); m; m = fence.exec(source)) {
    const indent = new RegExp(`^ {0,${m[1].length}}`, "gm");
    fences.push({ lang: m[2], text: m[3].replace(indent, ""), start: m.index, end: m.index + m[0].length, line: source.slice(0, m.index).split("\n").length });
  }
  const blocks: Block[] = [];
  fences.forEach((f, i) => {
    if (f.lang !== "graphql") return;
    const next = fences[i + 1];
    const adjacent = next && next.lang === "json" && /^\s*$/.test(source.slice(f.end, next.start).replace(/^[^\n`]*:\s*$/gm, ""));
    blocks.push({ where: `${file}:${f.line}`, text: f.text, variables: adjacent ? next.text : undefined });
  });
  return blocks;
}

const files = ["README.md", ...readdirSync(path.join(root, "docs")).map((f) => `docs/${f}`)].filter((f) => f.endsWith(".md"));
const blocks = files.flatMap(blocksOf);

it("finds the operations of the docs, each under a name of its own", () => {
  expect(blocks.length).toBeGreaterThan(15);
  const names = blocks.flatMap((b) =>
    parse(b.text)
      .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
      .map((d) => d.name?.value ?? "(anonymous)"),
  );
  // One name, one operation: a code generator fed the docs' operations gets no clash.
  expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
});

/** Paths where a connection is read through nodes alone: a paging client needs edges and their cursors. */
function withoutEdges(document: ReturnType<typeof parse>): string[] {
  const missing: string[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const type = getNamedType(typeInfo.getType());
        if (!node.selectionSet || !isObjectType(type) || !type.name.endsWith("Connection")) return;
        if (!node.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value === "edges")) missing.push(node.name.value);
      },
    }),
  );
  return missing;
}

/** Paths in a mutation's selection where an object type with an id is selected without it. */
function withoutId(document: ReturnType<typeof parse>): string[] {
  const missing: string[] = [];
  const typeInfo = new TypeInfo(schema);
  const trail: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          trail.push(node.alias?.value ?? node.name.value);
          const type = getNamedType(typeInfo.getType());
          if (!node.selectionSet || !isObjectType(type) || !type.getFields().id) return;
          const selects = node.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value === "id");
          if (!selects) missing.push(trail.join("."));
        },
        leave() {
          trail.pop();
        },
      },
    }),
  );
  return missing;
}

describe.each(blocks.map((b) => [b.where, b] as const))("%s", (_where, block) => {
  it("is one named operation, valid against the schema, with no placeholder in its text", () => {
    const document = parse(block.text);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations.map((o) => o.name?.value ?? "(anonymous)")).toEqual([expect.stringMatching(/^[A-Za-z]\w*$/)]);
    expect(validate(schema, document).map((e) => e.message)).toEqual([]);
    expect(block.text).not.toMatch(/<[a-z][^>]*>|hov_…|"…"/i);
    if (operations[0].operation === "mutation") expect(withoutId(document)).toEqual([]);
    expect(withoutEdges(document)).toEqual([]);
    const declared = operations[0].variableDefinitions ?? [];
    // Variables are given beside the operation, in a json block, one value per variable.
    if (declared.length > 0) expect(block.variables).toEqual(expect.any(String));
    if (block.variables !== undefined) {
      const given = Object.keys(JSON.parse(block.variables) as Record<string, unknown>).sort();
      expect(given).toEqual(declared.map((d) => d.variable.name.value).sort());
      const coerced = getVariableValues(schema, operations[0].variableDefinitions ?? [], JSON.parse(block.variables) as Record<string, unknown>);
      expect("errors" in coerced ? coerced.errors?.map((e) => e.message) : []).toEqual([]);
    }
  });
});
