import { readdirSync } from "node:fs";
import path from "node:path";
import type { MigrationInterface } from "typeorm";

type MigrationClass = new () => MigrationInterface;

/** A migration's file: its timestamp, a dash and what it does (compiled to .js in dist). */
const MIGRATION_FILE = /^\d{13}-[A-Za-z0-9-]+\.(ts|js)$/;

/**
 * Every migration of this folder, oldest first: a new one is applied by being here, with nothing
 * to list. Each file exports its one migration class.
 */
export const MIGRATIONS: MigrationClass[] = readdirSync(__dirname)
  .filter((file) => MIGRATION_FILE.test(file))
  .sort()
  .map((file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the folder is the list
    const exported = Object.values(require(path.join(__dirname, file)) as Record<string, unknown>);
    const classes = exported.filter((value): value is MigrationClass => typeof value === "function");
    if (classes.length !== 1) throw new Error(`the migration ${file} must export exactly one class`);
    return classes[0];
  });
