/** Writes schema.graphql from the code: `npm run schema:emit`. A test fails when it is stale. */
import "reflect-metadata";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { RESOLVERS } from "../src/resolvers";
import { buildHandoverSchema, printHandoverSchema } from "../src/schema/build-schema";

async function main(): Promise<void> {
  const schema = await buildHandoverSchema(RESOLVERS);
  const file = path.resolve(__dirname, "..", "schema.graphql");
  writeFileSync(file, printHandoverSchema(schema));
  console.log(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
