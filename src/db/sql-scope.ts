import { AsyncLocalStorage } from "node:async_hooks";
import { UnitOfWork } from "./unit-of-work";

/**
 * The SQL scope of one request: which workspace its statements must be bound to, and how many
 * statements it issued. Every statement sent by the pool passes through `checkStatement`.
 */
export interface SqlScope {
  /** The request's id, for logs and masked errors. */
  requestId: string;
  workspaceId: string | undefined;
  /** Set only around identity lookups that precede or span workspaces (authentication, logIn). */
  unscoped: boolean;
  readonly counter: { statements: number };
}

/** The feeds of rows written in commit order, each with its own cursor (see services/tickets/event-log.ts). */
export const FEED_NAMES = ["events", "flowStarts", "notifications"] as const;
export type FeedName = (typeof FEED_NAMES)[number];

/** A transaction wrote rows of a feed up to this cursor. */
export interface FeedWrite {
  feed: FeedName;
  workspaceId: string;
  cursor: string;
}

type CommitListener = (writes: FeedWrite[]) => void;
const commitListeners = new Set<CommitListener>();

/** Called after each commit that wrote feed rows, in this process. Returns an unsubscribe. */
export function onCommittedWrites(listener: CommitListener): () => void {
  commitListeners.add(listener);
  return () => commitListeners.delete(listener);
}

/**
 * Records that the open transaction of the running unit of work wrote feed rows: this process's
 * subscribers are woken once it commits, and never for a rollback. Feed rows are written only
 * inside a unit of work.
 */
export function noteWrite(feed: FeedName, workspaceId: string, cursor: string): void {
  const unit = UnitOfWork.current();
  if (!unit) throw new Error(`${feed} were written outside a unit of work: nobody would be woken`);
  unit.afterCommit(() => {
    for (const listener of commitListeners) listener([{ feed, workspaceId, cursor }]);
  });
}

const storage = new AsyncLocalStorage<SqlScope>();

/** Tables whose rows belong to one workspace. Queries on them must bind the request's workspace. */
export const TENANT_TABLES: ReadonlySet<string> = new Set([
  "workspaces",
  "memberships",
  "api_tokens",
  "topics",
  "contacts",
  "contact_urns",
  "flows",
  "messages",
  "tickets",
  "ticket_events",
  "ticket_count_deltas",
  "contact_fields",
  "contact_field_values",
  "contact_notes",
  "contact_groups",
  "teams",
  "team_topics",
  "invitations",
  "shortcuts",
  "triggers",
  "flow_starts",
  "ticket_exports",
  "ticket_export_downloads",
  "webhooks",
  "webhook_deliveries",
]);

export class TenantScopeError extends Error {
  constructor(readonly table: string) {
    super(`refused a statement on tenant table "${table}" that does not bind the request's workspace_id`);
  }
}

export function runInSqlScope<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId, workspaceId: undefined, unscoped: false, counter: { statements: 0 } }, fn);
}

export function currentSqlScope(): SqlScope | undefined {
  return storage.getStore();
}

/** Binds the current request's statements to a workspace, once it is authenticated. */
export function bindSqlScope(workspaceId: string): void {
  const scope = storage.getStore();
  if (scope) scope.workspaceId = workspaceId;
}

/**
 * Runs identity lookups that by nature are not confined to one workspace (finding a token by its
 * hash, a user's memberships at logIn). Statements are still counted.
 */
export function unscoped<T>(fn: () => Promise<T>): Promise<T> {
  const scope = storage.getStore();
  if (!scope) return fn();
  return storage.run({ ...scope, unscoped: true }, fn);
}

const TABLE_REFERENCE = /\b(?:from|join|into|update)\s+(?:only\s+)?"?([a-z_][a-z0-9_]*)"?/gi;

/** Returns the tenant tables a statement touches. */
export function tenantTablesOf(sql: string): string[] {
  const found: string[] = [];
  for (const match of sql.matchAll(TABLE_REFERENCE)) {
    const table = match[1].toLowerCase();
    if (TENANT_TABLES.has(table) && !found.includes(table)) found.push(table);
  }
  return found;
}

/**
 * Counts a statement in the current scope and refuses it when it reads or writes a tenant
 * table without binding the request's workspace id as a parameter.
 */
export function checkStatement(sql: string, values: readonly unknown[] | undefined): void {
  const scope = storage.getStore();
  if (!scope) return;
  scope.counter.statements += 1;
  if (scope.unscoped || scope.workspaceId === undefined) return;
  const { tables, mentions } = shapeOf(sql);
  if (tables.length === 0) return;
  const bound = values?.some((v) => v === scope.workspaceId) ?? false;
  if (!bound || !mentions) throw new TenantScopeError(tables[0]);
}

interface StatementShape {
  tables: string[];
  /** Whether the text filters on workspace_id (or only touches workspaces, by id). */
  mentions: boolean;
}

/** Statement texts repeat (their values are parameters): their shapes are remembered, a bounded number of them. */
const shapes = new Map<string, StatementShape>();
const MAX_SHAPES = 2000;

function shapeOf(sql: string): StatementShape {
  let shape = shapes.get(sql);
  if (!shape) {
    const tables = tenantTablesOf(sql);
    shape = { tables, mentions: /workspace_id/i.test(sql) || tables.every((t) => t === "workspaces") };
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(sql, shape);
  }
  return shape;
}

/** Runs `fn` as its own unit of work bound to one workspace (background reads, not requests). */
export function inWorkspaceScope<T>(label: string, workspaceId: string, fn: () => T): T {
  return storage.run({ requestId: label, workspaceId, unscoped: false, counter: { statements: 0 } }, fn);
}
