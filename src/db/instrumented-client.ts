import { randomBytes } from "node:crypto";
import pg from "pg";
import { checkStatement } from "./sql-scope";
import { failCall, UnitOfWork } from "./unit-of-work";

type QueryText = string | { text: string; values?: unknown[] };

function textOf(config: unknown): { text: string; values: unknown[] | undefined } | undefined {
  if (typeof config === "string") return { text: config, values: undefined };
  if (config && typeof config === "object" && typeof (config as QueryText & object).text === "string") {
    const q = config as { text: string; values?: unknown[] };
    return { text: q.text, values: q.values };
  }
  return undefined;
}

/** The pool options an InstrumentedClient reads besides pg's own (TypeORM passes `extra` through). */
export interface InstrumentedClientOptions extends pg.ClientConfig {
  /** Prepare the statements a connection sends repeatedly (off behind a pooler in transaction mode). */
  prepareStatements?: boolean;
}

/** A statement's second use on a connection prepares it: one-off texts are never prepared. */
const PREPARE_AFTER_USES = 2;
/**
 * Prepared statements per connection; past it, the one used least recently is dropped
 * (DEALLOCATE) to make room. Each costs the connection's backend memory: 200 of the inbox's shapes
 * took a backend from about 6 to 33 MB. Dropping the least recent rather than keeping the first
 * come: a client sending many one-off shapes (page sizes, selections) must not leave everyone
 * else's hot statements unprepared, parsed and planned at every request, for the connection's life.
 */
const MAX_PREPARED = 100;
/** Texts counted per connection before they qualify; the count starts over when full. */
const MAX_COUNTED = 1000;

/**
 * Distinguishes the connections of this process, and the process from others: on the embedded
 * database every connection, whichever process opened it, shares one session.
 */
const PROCESS_TAG = randomBytes(4).toString("hex");
let connections = 0;

/**
 * Names a connection's repeated statements, so that PostgreSQL parses and plans them once per
 * connection rather than once per query (its plan cache then picks a custom or generic plan per
 * execution). Like the prepared-statement caches of other drivers, it needs no call site to opt
 * in: any parameterized text sent twice qualifies. Names are unique across the process's
 * connections, since the embedded database's connections share one session (which forgets a
 * connection's statements when it closes; see db/embedded.ts).
 */
class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly uses = new Map<string, number>();
  private readonly prefix = `h${PROCESS_TAG}${(++connections).toString(36)}_`;
  private named = 0;
  /** Names forgotten while their statements stay in the session (counted against the limit). */
  private abandoned = 0;
  /** Statements evicted but not dropped yet (evicted in a transaction): still in the session. */
  private readonly undropped: string[] = [];

  /**
   * The name to prepare `text` under, or undefined to send it unnamed this time; `evict`, the
   * statements to drop from the session first: the least recently used, to make room, and any
   * evicted earlier inside a transaction.
   */
  nameFor(text: string): { name: string; evict: string[] } | undefined {
    const evict = this.undropped.splice(0);
    const known = this.names.get(text);
    if (known) {
      // Most recently used last: the map's order is the eviction order.
      this.names.delete(text);
      this.names.set(text, known);
      return { name: known, evict };
    }
    const used = (this.uses.get(text) ?? 0) + 1;
    if (used < PREPARE_AFTER_USES) {
      if (this.uses.size >= MAX_COUNTED) this.uses.clear();
      this.uses.set(text, used);
      this.undropped.push(...evict);
      return undefined;
    }
    // The statements still to drop hold their places until they are gone.
    const dropping = evict.length;
    while (this.names.size + dropping + this.abandoned >= MAX_PREPARED) {
      const oldest = this.names.entries().next();
      if (oldest.done) {
        this.undropped.push(...evict);
        return undefined; // every place is held by abandoned statements
      }
      this.names.delete(oldest.value[0]);
      evict.push(oldest.value[1]);
    }
    this.uses.delete(text);
    const name = `${this.prefix}${(this.named++).toString(36)}`;
    this.names.set(text, name);
    return { name, evict };
  }

  /** A statement not dropped yet (in a transaction): still in the session, dropped with a later one. */
  dropLater(name: string): void {
    this.undropped.push(name);
  }

  /** The statement prepared for `text` no longer serves: its next use prepares it under a new name. */
  forget(text: string): void {
    if (this.names.delete(text)) this.abandoned++;
  }
}

/** An error's SQLSTATE and the server routine that raised it (never translated, unlike the message). */
function sqlError(error: unknown): { code: string; routine: string } {
  const { code, routine } = (error ?? {}) as { code?: unknown; routine?: unknown };
  return { code: typeof code === "string" ? code : "", routine: typeof routine === "string" ? routine : "" };
}

/**
 * A prepared statement that cannot run as it was planned: a column it returns changed type
 * (0A000 raised while revalidating the cached plan), or it is gone from the session (26000).
 * Such a statement changed nothing: it may run again at once.
 */
function isStale(error: unknown): boolean {
  const { code, routine } = sqlError(error);
  return code === "26000" || (code === "0A000" && routine === "RevalidateCachedQuery");
}

/**
 * An error that may come from the statement as it was prepared rather than from the data: a stale
 * plan, a type or object its parameters were resolved against that changed (class 42), an
 * internal lookup of a dropped type (XX000). The statement is then prepared anew on its next
 * use; data errors (a unique violation, a deadlock) keep it.
 */
function mayBePreparation(error: unknown): boolean {
  const { code } = sqlError(error);
  return code === "26000" || code === "0A000" || code.startsWith("42") || code === "XX000";
}

/**
 * A pg client whose every statement passes the tenant guard and the per-request statement
 * counter before it is sent, and is refused when sent by code inside a request's open
 * transaction on another connection than the transaction's; whose repeated parameterized
 * statements are prepared (StatementNames) unless `prepareStatements` is false. Given to the
 * pool as its `Client`.
 */
export class InstrumentedClient extends pg.Client {
  constructor(config?: string | InstrumentedClientOptions) {
    super(config);
    const statements = typeof config === "object" && config.prepareStatements ? new StatementNames() : undefined;
    const send = this.query.bind(this) as (...args: unknown[]) => unknown;
    // The transaction status of the connection's last ReadyForQuery: 'I' outside a transaction.
    let status = "I";
    this.connection.on("readyForQuery", (message: { status?: string }) => (status = message.status ?? status));
    const guarded = (...args: unknown[]): unknown => {
      const query = textOf(args[0]);
      if (query) {
        const values = Array.isArray(args[1]) ? (args[1] as unknown[]) : query.values;
        try {
          UnitOfWork.checkConnection(this);
          checkStatement(query.text, values);
        } catch (error) {
          return failCall(args, error);
        }
        // query(text, values), as TypeORM sends its statements: named when repeated. A statement
        // made stale by a schema change is prepared anew next time, and run again at once,
        // unnamed, when it failed outside a transaction (it changed nothing, and nothing else
        // was aborted with it); inside one, the transaction has failed and its caller sees why.
        if (statements && typeof args[0] === "string" && Array.isArray(args[1]) && args[1].length > 0 && args.length === 2) {
          const [text, params] = [args[0], args[1] as unknown[]];
          const named = statements.nameFor(text);
          if (named) {
            const { name, evict } = named;
            for (const old of evict) {
              // The driver remembers each name it parsed, with its text: never used again, so
              // forgotten, or a connection churning through shapes would keep every text.
              delete (this.connection as unknown as { parsedStatements: Record<string, string> }).parsedStatements[old];
              // Dropped outside a transaction only, so that a refused DEALLOCATE can never fail
              // the caller's transaction (behind PgBouncer, which keeps its own names and cache,
              // the session has no such name: nothing to drop). Inside one: after it, with the
              // next statement. Sent before this statement on the same connection, in order.
              if (status !== "I") statements.dropLater(old);
              else void (send(`DEALLOCATE "${old}"`) as Promise<unknown>).catch(() => undefined);
            }
            return (send({ name, text, values: params }) as Promise<unknown>).catch((error: unknown) => {
              if (mayBePreparation(error)) statements.forget(text);
              if (!isStale(error)) throw error;
              // The status is that of the statement before this one (or this one's own
              // ReadyForQuery: 'E' in a failed transaction, 'I' after a lone statement).
              if (status !== "I") throw error;
              return send(text, params);
            });
          }
        }
      }
      return send(...args);
    };
    this.query = guarded as typeof this.query;
  }
}
