/**
 * graphql-codegen for a Handover client: run from the repository root with
 *   npx graphql-codegen --config examples/client/codegen.ts
 * Two outputs: typed documents for the operations written with graphql() in this folder (the
 * client preset), and every type of the schema, for code that handles them outside an operation.
 */
import type { CodegenConfig } from "@graphql-codegen/cli";

/** DateTime travels as an ISO 8601 string; JSON is anything, to be checked where it is read. */
const scalars = { DateTime: "string", JSON: "unknown" };

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["examples/client/**/*.ts", "!examples/client/generated/**"],
  ignoreNoDocuments: false,
  generates: {
    "examples/client/generated/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: { scalars, enumsAsTypes: true, useTypeImports: true, strictScalars: true },
    },
    "examples/client/generated/schema-types.ts": {
      plugins: ["typescript"],
      config: { scalars, enumsAsTypes: true, useTypeImports: true, strictScalars: true },
    },
  },
};

export default config;
