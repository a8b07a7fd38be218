import { AsyncLocalStorage } from "node:async_hooks";
import type { DataSource, EntityManager, QueryRunner } from "typeorm";
import { withRetries } from "./transaction";

/**
 * The database side of one request: its statements, and the one transaction a mutation runs in.
 *
 * While the transaction is open, every statement of the request goes through its connection:
 * services through `em`/`query`, loaders through the same unit. Code that reaches for the pool
 * instead (a second connection) is refused at once (`SecondConnectionError`): with every pooled
 * connection held by a transaction that waits for another one, or on the embedded database,
 * which runs one transaction at a time, that second connection never comes.
 *
 * Work that must wait for the commit (waking subscribers, forgetting cached sessions) is
 * registered with `afterCommit` and runs once the transaction has committed; a rollback drops it.
 *
 * The transaction, and the connection it holds, begin with its first statement: what a mutation
 * does before that (hashing or checking a password, sending an email) holds no connection, and
 * reads it needs for that go through `beforeTransaction`.
 */
/**
 * Refuses, at compile time, a transaction or savepoint whose function answers a service's Result:
 * that goes through `refusable`, which also undoes the writes of a refusal it returns.
 */
export type NotAResult<T> = T extends { ok: boolean } ? [answersAResult_useRefusable: never] : [];

export interface Work {
  /** The open transaction's manager, else the pool's. */
  readonly em: EntityManager;
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
  /**
   * Runs `fn` in the open transaction (a mutation's), else in a transaction of its own: what
   * must be all or nothing, whoever calls it.
   */
  transaction<T>(fn: (em: EntityManager) => Promise<T>, ...notAResult: NotAResult<T>): Promise<T>;
  /**
   * Runs `fn` so that its failure undoes only its own writes: a savepoint inside the open
   * transaction (a constraint that a service answers as a userError, then reads on), else a
   * transaction of its own.
   */
  savepoint<T>(fn: (em: EntityManager) => Promise<T>, ...notAResult: NotAResult<T>): Promise<T>;
  /** Runs `hook` after the open transaction commits (never after a rollback); at once when none is open. */
  afterCommit(hook: () => void): void;
  /** Runs `hook` when the open transaction ends, committed or rolled back (releasing a lock held until then); at once when none is open. */
  afterTransaction(hook: () => void): void;
  /**
   * Runs reads that must not hold the transaction's connection during slow work that follows (a
   * password's hash, read before it is checked), on the pool, before the transaction has begun:
   * they see only what is committed and take no lock. Fails once the transaction has begun.
   */
  beforeTransaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T>;
}

/** The unit whose transaction the running code belongs to, if any. */
const running = new AsyncLocalStorage<UnitOfWork>();

/** A statement or a connection asked for on the pool by code running inside a unit's open transaction. */
export class SecondConnectionError extends Error {
  constructor() {
    super(
      "a second database connection was asked for inside a request's open transaction; " +
        "read and write through the request's unit of work (ctx.work, ctx.loaders) instead",
    );
    this.name = "SecondConnectionError";
  }
}

/** How many transactions are open in this process, for metrics and tests. */
let open = 0;
export function openTransactions(): number {
  return open;
}

export class UnitOfWork implements Work {
  private runner: QueryRunner | undefined;
  /** Set by the transaction's first statement, which sends BEGIN before it. */
  private begun: Promise<unknown> | undefined;
  private hooks: Array<() => void> = [];
  private endHooks: Array<() => void> = [];
  private savepoints = 0;

  private readonly settled: (() => void) | undefined;
  private readonly permit: (() => Promise<() => void>) | undefined;
  /** Gives back the permit the open transaction holds. */
  private releasePermit: (() => void) | undefined;

  /**
   * @param options.settled called when a transaction ends, committed or not: the request's
   * loaders, which may hold rows read inside it, are replaced.
   * @param options.permit taken before the transaction takes its connection, given back when it
   * ends: its workspace's share of the pool (ConcurrencyGate).
   */
  constructor(
    private readonly db: DataSource,
    options: { settled?: () => void; permit?: () => Promise<() => void> } = {},
  ) {
    this.settled = options.settled;
    this.permit = options.permit;
  }

  /** The unit whose open transaction the calling code runs in. */
  static current(): UnitOfWork | undefined {
    const unit = running.getStore();
    return unit?.runner ? unit : undefined;
  }

  /**
   * Refuses a statement sent on `connection` by code running inside a unit's open transaction
   * when `connection` is not that transaction's (called by the pool's client for each statement).
   */
  static checkConnection(connection: unknown): void {
    const unit = UnitOfWork.current();
    if (unit && unit.connection() !== connection) throw new SecondConnectionError();
  }

  /** Refuses to hand out a pooled connection to code running inside a unit's open transaction. */
  static checkPoolRequest(): void {
    if (UnitOfWork.current()) throw new SecondConnectionError();
  }

  get inTransaction(): boolean {
    return this.runner !== undefined;
  }

  get em(): EntityManager {
    return this.runner?.manager ?? this.db.manager;
  }

  query<T = unknown>(sql: string, params?: unknown[]): Promise<T> {
    return this.em.query(sql, params) as Promise<T>;
  }

  /**
   * Runs `work` in one transaction on one connection, committed when it resolves and rolled back
   * when it throws. A deadlock or serialization failure runs it again (up to `attempts` times,
   * after a short random pause), so clients never see those. A call made while the transaction is
   * open joins it.
   */
  async run<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
    if (this.runner) return work();
    return withRetries(() => this.once(work), attempts);
  }

  private async once<T>(work: () => Promise<T>): Promise<T> {
    const runner = this.db.createQueryRunner();
    // The runner takes its connection at its first statement; BEGIN goes first, once, and every
    // statement (concurrent ones included) waits for it.
    const send = runner.query.bind(runner);
    this.begun = undefined;
    runner.query = ((...args: Parameters<QueryRunner["query"]>) => {
      // The unit's own connection is taken outside its scope, where the pool's guard lets it by,
      // once its workspace has a permit for it.
      this.begun ??= running.exit(async () => {
        if (this.permit) this.releasePermit = await this.permit();
        return send("START TRANSACTION");
      });
      return this.begun.then(() => send(...args));
    }) as QueryRunner["query"];
    let result: T;
    open += 1;
    try {
      this.runner = runner;
      this.savepoints = 0;
      result = await running.run(this, work);
      this.runner = undefined;
      if (this.begun) await send("COMMIT");
    } catch (error) {
      this.runner = undefined;
      this.hooks = [];
      if (this.begun) await send("ROLLBACK").catch(() => undefined);
      this.settled?.();
      throw error;
    } finally {
      open -= 1;
      this.begun = undefined;
      await runner.release().catch(() => undefined);
      this.releasePermit?.();
      this.releasePermit = undefined;
      const ends = this.endHooks;
      this.endHooks = [];
      for (const hook of ends) hook();
    }
    const hooks = this.hooks;
    this.hooks = [];
    this.settled?.();
    for (const hook of hooks) hook();
    return result;
  }

  transaction<T>(fn: (em: EntityManager) => Promise<T>, ..._notAResult: NotAResult<T>): Promise<T> {
    return this.run(() => fn(this.em));
  }

  async savepoint<T>(fn: (em: EntityManager) => Promise<T>, ..._notAResult: NotAResult<T>): Promise<T> {
    const runner = this.runner;
    if (!runner) return this.run(() => fn(this.em));
    const name = `handover_${++this.savepoints}`;
    const hooks = this.hooks.length;
    await runner.query(`SAVEPOINT ${name}`);
    let result: T;
    try {
      result = await fn(runner.manager);
    } catch (error) {
      // What the undone writes asked for after commit is forgotten with them. A lost connection
      // fails the rollback too: the original error says more.
      this.hooks.length = hooks;
      await runner.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
      throw error;
    }
    await runner.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  }

  afterCommit(hook: () => void): void {
    if (this.runner) this.hooks.push(hook);
    else hook();
  }

  afterTransaction(hook: () => void): void {
    if (this.runner) this.endHooks.push(hook);
    else hook();
  }

  beforeTransaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    if (this.begun) throw new Error("beforeTransaction was called after the transaction's first statement");
    // Outside the unit's scope: these reads are the pool's, and the connection guard lets them by.
    return running.exit(() => fn(this.db.manager));
  }

  /** The pg client of the open transaction. */
  private connection(): unknown {
    return (this.runner as (QueryRunner & { databaseConnection?: unknown }) | undefined)?.databaseConnection;
  }
}

/**
 * Fails a call of the pg API the way it was made: through its callback when it has one, else as a
 * rejected promise.
 */
export function failCall(args: readonly unknown[], error: unknown): Promise<never> | undefined {
  const callback = args.find((a) => typeof a === "function") as ((e: unknown) => void) | undefined;
  if (!callback) return Promise.reject(error);
  process.nextTick(() => callback(error));
  return undefined;
}

/**
 * Makes the pool refuse connections to code running inside a unit's open transaction, so that a
 * forgotten `DataSource` read fails at once instead of waiting for a connection that may never
 * come. Installed on every data source the server opens.
 */
export function guardPool(db: DataSource): void {
  const pool = (db.driver as unknown as { master?: { connect: (...args: unknown[]) => unknown } }).master;
  if (!pool) throw new Error("guardPool: the data source is not initialized");
  const connect = pool.connect.bind(pool);
  pool.connect = (...args: unknown[]) => {
    try {
      UnitOfWork.checkPoolRequest();
    } catch (error) {
      return failCall(args, error);
    }
    return connect(...args);
  };
}
