/**
 * The expression of a CHECK that a text column holds one of an enum's values, for `@Check`, so
 * that the enum is the one list of them. It is written as PostgreSQL prints the migrations' `IN
 * (...)` back (pg_get_constraintdef), values in the enum's order: test/server/entity-schema.test.ts
 * compares it with the migrated database.
 *
 * TypeORM matches checks by name only, so `migration:generate` does not see a changed enum: a new
 * value needs a migration that drops and adds the constraint, written by hand. The migrations keep
 * their literal SQL, as history.
 */
export function oneOf(column: string, values: Readonly<Record<string, string>>): string {
  const list = Object.values(values).map((value) => `'${value.replace(/'/g, "''")}'::text`);
  return list.length === 1 ? `${column} = ${list[0]}` : `${column} = ANY (ARRAY[${list.join(", ")}])`;
}
