import pg from "pg";
import { checkStatement, transactionEnded } from "./sql-scope";

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
 * counter before it is sent, and which tells the request scope when a transaction ends (so the
 * feeds it wrote can wake their subscribers after commit). Given to the pool as its `Client`.
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
          checkStatement(query.text, values);
        } catch (error) {
          const callback = args.find((a) => typeof a === "function") as ((e: unknown) => void) | undefined;
          if (callback) {
            process.nextTick(() => callback(error));
            return undefined;
          }
          return Promise.reject(error);
        }
      }
      const result = send(...args);
      const ending = query && /^\s*(COMMIT|ROLLBACK)\b/i.exec(query.text);
      if (ending && result instanceof Promise) {
        const committed = ending[1].toUpperCase() === "COMMIT";
        return result.then(
          (value: unknown) => {
            transactionEnded(committed);
            return value;
          },
          (error: unknown) => {
            transactionEnded(false);
            throw error;
          },
        );
      }
      return result;
    };
    this.query = guarded as typeof this.query;
  }
}
