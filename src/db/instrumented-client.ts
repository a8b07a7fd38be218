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

/**
 * A pg client whose every statement passes the tenant guard and the per-request statement
 * counter before it is sent, and is refused when sent by code inside a request's open
 * transaction on another connection than the transaction's. Given to the pool as its `Client`.
 */
export class InstrumentedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const send = this.query.bind(this) as (...args: unknown[]) => unknown;
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
      }
      return send(...args);
    };
    this.query = guarded as typeof this.query;
  }
}
