import { getMetadataArgsStorage } from "typeorm";
import type { ColumnMetadataArgs } from "typeorm/metadata-args/ColumnMetadataArgs";
import { SnakeNamingStrategy } from "./snake-naming";

/**
 * Column lists for raw SQL, derived from the entities: the entity is the one description of a
 * table, and a select list reads every column it declares (but those marked `select: false`, as
 * TypeORM's finders do), snake_case column as camelCase property. Call these at module load and
 * keep the result in a constant: they walk the decorator metadata, which no request should do.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any entity class, whatever its constructor
type EntityClass<T> = abstract new (...args: any[]) => T;

/** The naming strategy of the DataSource (ormconfig.ts), so that a list names the columns the migrations create. */
const naming = new SnakeNamingStrategy();

function readableColumns(entity: EntityClass<unknown>): ColumnMetadataArgs[] {
  const columns = getMetadataArgsStorage()
    .filterColumns(entity)
    .filter((c) => c.mode !== "virtual-property" && c.options.select !== false);
  if (columns.length === 0) throw new Error(`${entity.name} is not an entity with columns`);
  return columns;
}

function columnName(column: ColumnMetadataArgs): string {
  return naming.columnName(column.propertyName, column.options.name, []);
}

export interface ColumnsOptions<T> {
  /** Properties not read (secrets, internals, columns replaced by an `extra` expression). */
  except?: ReadonlyArray<keyof T & string>;
  /** Computed values read along, by the key they get in the row: SQL expressions, written out. */
  extra?: Readonly<Record<string, string>>;
}

/**
 * The select (or RETURNING) list of `entity` on table alias `alias` (none: bare column names):
 * `t.last_activity_at AS "lastActivityAt"`, in the entity's declaration order, then the extras.
 */
export function columnsOf<T>(entity: EntityClass<T>, alias: string | null, options: ColumnsOptions<T> = {}): string {
  return columnListOf(entity, alias, options)
    .map(({ sql, key, named }) => (named ? sql : `${sql} AS "${key}"`))
    .join(", ");
}

/** A column of a select list: its SQL expression and the key it gets in the row. */
export interface SelectedColumn {
  sql: string;
  key: string;
  /** The column's name is already its key (no alias needed). */
  named: boolean;
}

/** The select list of columnsOf, one column at a time (to name them otherwise: see db/rows.ts). */
export function columnListOf<T>(entity: EntityClass<T>, alias: string | null, options: ColumnsOptions<T> = {}): SelectedColumn[] {
  const columns = readableColumns(entity);
  const except = new Set<string>(options.except ?? []);
  for (const property of except) {
    if (!columns.some((c) => c.propertyName === property)) throw new Error(`${entity.name} has no readable column ${property}`);
  }
  const prefix = alias ? `${alias}.` : "";
  const read = columns
    .filter((c) => !except.has(c.propertyName))
    .map((c) => ({ sql: `${prefix}${columnName(c)}`, key: c.propertyName, named: columnName(c) === c.propertyName }));
  const extra = Object.entries(options.extra ?? {}).map(([key, sql]) => ({ sql, key, named: false }));
  return [...read, ...extra];
}

/**
 * An entity's column properties: its relations (optional objects other than dates) left out. A
 * column added to the entity is one of them at once.
 */
export type ColumnsOf<T> = {
  [K in keyof T as NonNullable<T[K]> extends Date ? K : NonNullable<T[K]> extends object ? never : K]: T[K];
};

/**
 * Columns written for many rows in one statement, each as an array given to `unnest`: derived from
 * the entity like the select lists, so that a new column is written without a change here.
 */
export interface UnnestColumns {
  /** The column names, in the entity's order: an INSERT's column list, or an `unnest` alias. */
  readonly names: string[];
  /** The properties behind them, in the same order. */
  readonly properties: string[];
  /** `$n::type[]` for each column, numbered from `first`. */
  arrays(first: number): string;
  /** The parameters: for each column, the array of every row's value (null where it has none). */
  values(rows: ReadonlyArray<object>): unknown[][];
}

/** The writable columns of `entity`, but those in `except` (generated, or written otherwise). */
export function unnestColumnsOf<T>(entity: EntityClass<T>, except: ReadonlyArray<keyof T & string>): UnnestColumns {
  const skipped = new Set<string>(except);
  const columns = getMetadataArgsStorage()
    .filterColumns(entity)
    .filter((c) => c.mode !== "virtual-property" && !skipped.has(c.propertyName));
  const types = columns.map((c) => {
    if (typeof c.options.type !== "string") throw new Error(`${entity.name}.${c.propertyName} has no SQL type name`);
    return c.options.type;
  });
  const properties = columns.map((c) => c.propertyName);
  return {
    names: columns.map(columnName),
    properties,
    arrays: (first) => types.map((type, i) => `$${first + i}::${type}[]`).join(", "),
    values: (rows) => properties.map((p) => rows.map((row) => (row as Record<string, unknown>)[p] ?? null)),
  };
}
