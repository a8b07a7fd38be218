import {
  createSourceEventStream,
  execute,
  Kind,
  visit,
  type DefinitionNode,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type OperationDefinitionNode,
} from "graphql";

/**
 * Subscribers of one feed get the same rows, and most ask the same selection: an event is
 * resolved once and the result handed to every subscriber it would have been computed alike
 * for, instead of once per subscriber.
 *
 * "Alike" is not guessed from a list of what resolvers read: the first subscriber's execution
 * runs with a context that records every subscriber-specific value it reads (the actor's role,
 * topics, user or team, the token, the connection...) with its value, and another subscriber
 * reuses that result only when each of those reads gives the same value for it. Reading the
 * same values, the same resolvers over the same rows compute the same result, so authorization
 * stays per subscriber: an agent never gets what was computed for an administrator as soon as
 * any resolver of the selection looked at the role, and nothing is shared between two
 * subscribers whose results could differ.
 */

/** Context properties that carry the request's machinery, not who it is for: not recorded. */
const MACHINERY = new Set<PropertyKey>(["db", "loaders", "loaderBox", "renewLoaders", "services", "feeds", "log"]);

/** The context property holding the subscriber's identity, whose own properties are recorded one by one. */
const ACTOR = "actor";

/** Counters of this process, for tests and operations. */
export const sharedResultStats = {
  /** Events resolved (selections executed). */
  executions: 0,
  /** Deliveries that reused a result resolved for another subscriber. */
  reused: 0,
};

const identities = new WeakMap<object, number>();
let nextIdentity = 0;

/** A comparable form of a value read from a context: by value for data, by identity for objects. */
function fingerprint(value: unknown): string {
  if (value === undefined) return "u";
  if (value === null || typeof value !== "object") return typeof value === "function" ? `f${identityOf(value)}` : JSON.stringify(value);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== "object")) return JSON.stringify(value);
  return `#${identityOf(value)}`;
}

function identityOf(value: object): number {
  let id = identities.get(value);
  if (id === undefined) {
    id = ++nextIdentity;
    identities.set(value, id);
  }
  return id;
}

type Reads = Map<string, string>;

/** The value a recorded read gives for another context. */
function readAgain(context: unknown, path: string): string {
  const [first, second] = path.split(".", 2);
  const top = (context as Record<string, unknown> | null | undefined)?.[first];
  if (second === undefined) return fingerprint(top);
  return fingerprint((top as Record<string, unknown> | null | undefined)?.[second]);
}

function recording<T extends object>(
  target: T,
  prefix: string,
  reads: Reads,
  special?: (key: string, value: unknown) => { value: unknown } | undefined,
): T {
  const note = (key: PropertyKey, value: unknown) => {
    if (typeof key !== "string") return;
    const path = prefix ? `${prefix}.${key}` : key;
    if (!reads.has(path)) reads.set(path, fingerprint(value));
  };
  return new Proxy(target, {
    get(t, key, receiver) {
      const value: unknown = Reflect.get(t, key, receiver);
      const handled = special && typeof key === "string" ? special(key, value) : undefined;
      if (handled) return handled.value;
      note(key, value);
      return value;
    },
    has(t, key) {
      note(key, Reflect.get(t, key));
      return Reflect.has(t, key);
    },
    getOwnPropertyDescriptor(t, key) {
      note(key, Reflect.get(t, key));
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    ownKeys(t) {
      const keys = Reflect.ownKeys(t);
      reads.set(`${prefix}#keys`, JSON.stringify(keys.filter((k) => typeof k === "string")));
      return keys;
    },
  });
}

/** A view of a subscription's context that records what is read of the subscriber. */
function recordingContext(context: object, reads: Reads): object {
  return recording(context, "", reads, (key, value) => {
    if (MACHINERY.has(key)) return { value };
    if (key === ACTOR && value !== null && typeof value === "object") {
      reads.set(`${ACTOR}#present`, "true");
      return { value: recording(value, ACTOR, reads) };
    }
    return undefined;
  });
}

function sameReads(reads: Reads, context: unknown): boolean {
  for (const [path, value] of reads) {
    if (path.endsWith("#keys")) {
      const prefix = path.slice(0, -"#keys".length);
      const target = prefix ? (context as Record<string, unknown>)[prefix] : context;
      const keys = target && typeof target === "object" ? Reflect.ownKeys(target).filter((k) => typeof k === "string") : [];
      if (JSON.stringify(keys) !== value) return false;
    } else if (path === `${ACTOR}#present`) {
      const actor = (context as Record<string, unknown>)[ACTOR];
      if (actor === null || typeof actor !== "object") return false;
    } else if (readAgain(context, path) !== value) return false;
  }
  return true;
}

interface Resolved {
  /** What the execution read of its subscriber; complete once `settled` has resolved. */
  reads: Reads;
  result: Promise<ExecutionResult>;
  settled: Promise<void>;
}

interface Slot {
  resolved: Resolved[];
  lastUsed: number;
}

export interface SharedResultsOptions {
  /** How long a resolved event stays available to subscribers that have not taken it yet. */
  keepMs: number;
  /** At most this many events (by selection) are kept; the oldest go first. */
  maxEvents: number;
  /**
   * Arguments of the subscription fields that only choose where the stream of events starts, and
   * never how an event is resolved (a resume cursor): subscribers that differ only in them share.
   */
  streamArguments: ReadonlySet<string>;
  /** Which partition (workspace) a subscription's context belongs to: results never cross it. */
  partitionOf(contextValue: unknown): string | undefined;
  /** Runs one execution in its request scope. */
  run<T>(contextValue: unknown, execute: () => T): T;
  /** An execution with this context is done. */
  finished?(contextValue: unknown): void;
}

/** A subscription's results, as graphql-ws iterates them. */
export interface ResultStream extends AsyncIterableIterator<ExecutionResult> {
  return(): Promise<IteratorResult<ExecutionResult>>;
  throw(error?: unknown): Promise<IteratorResult<ExecutionResult>>;
}

/** The results of this process's subscriptions, shared between subscribers that would compute them alike. */
export class SharedResults {
  private readonly slots = new Map<string, Slot>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: SharedResultsOptions) {}

  /**
   * Subscribes like graphql's `subscribe`, but resolves each event through the shared results.
   * The iterator's `return()` reaches the source stream at once, even while it waits for an event.
   */
  async subscribe(args: ExecutionArgs): Promise<ResultStream | ExecutionResult> {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    const selection = selectionKey(args, this.options.streamArguments);
    const partition = this.options.partitionOf(args.contextValue);
    const iterator = stream[Symbol.asyncIterator]();
    const resolve = (payload: unknown): Promise<ExecutionResult> => {
      const cursor = (payload as { cursor?: unknown } | null | undefined)?.cursor;
      if (selection === undefined || partition === undefined || typeof cursor !== "string") return this.execute(args, payload);
      return this.resolve(`${partition}\n${cursor}\n${selection}`, args, payload);
    };
    const mapped: ResultStream = {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        const step = await iterator.next();
        if (step.done) return { done: true, value: undefined };
        try {
          return { done: false, value: await resolve(step.value) };
        } catch (error) {
          await iterator.return?.();
          throw error;
        }
      },
      async return() {
        await iterator.return?.();
        return { done: true, value: undefined };
      },
      async throw(error: unknown) {
        if (iterator.throw) await iterator.throw(error);
        throw error;
      },
    };
    return mapped;
  }

  /** Events currently kept. */
  get size(): number {
    return this.slots.size;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.slots.clear();
  }

  private async resolve(key: string, args: ExecutionArgs, payload: unknown): Promise<ExecutionResult> {
    const now = Date.now();
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { resolved: [], lastUsed: now };
      this.slots.set(key, slot);
      this.trim();
    }
    slot.lastUsed = now;
    // Executions of this event, oldest first; one still running is waited for, since what it
    // reads is known only once it is done. Executions added meanwhile are looked at in turn.
    for (let i = 0; i < slot.resolved.length; i++) {
      const candidate = slot.resolved[i];
      await candidate.settled;
      if (sameReads(candidate.reads, args.contextValue)) {
        sharedResultStats.reused += 1;
        return candidate.result;
      }
    }
    const reads: Reads = new Map();
    const result = this.execute(args, payload, recordingContext(args.contextValue as object, reads));
    const entry: Resolved = { reads, result, settled: result.then(noop, noop) };
    slot.resolved.push(entry);
    // A failed resolution (the database lost midway, say) is not kept for later subscribers: the
    // next one resolves the event again.
    const forget = () => {
      const at = slot.resolved.indexOf(entry);
      if (at >= 0) slot.resolved.splice(at, 1);
    };
    void result.then((r) => (r.errors?.length ? forget() : undefined), forget);
    return result;
  }

  private execute(args: ExecutionArgs, payload: unknown, contextValue: unknown = args.contextValue): Promise<ExecutionResult> {
    sharedResultStats.executions += 1;
    const result = Promise.resolve().then(() =>
      this.options.run(args.contextValue, () => execute({ ...args, contextValue, rootValue: payload })),
    );
    if (this.options.finished) {
      const finished = () => this.options.finished?.(args.contextValue);
      void result.then(finished, finished);
    }
    return result;
  }

  /** Drops events nobody took for `keepMs`, and the oldest beyond `maxEvents`. */
  private trim(): void {
    while (this.slots.size > this.options.maxEvents) {
      const oldest = this.slots.keys().next().value;
      if (oldest === undefined) break;
      this.slots.delete(oldest);
    }
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(10, this.options.keepMs / 2));
      this.sweeper.unref();
    }
  }

  private sweep(): void {
    const before = Date.now() - this.options.keepMs;
    for (const [key, slot] of this.slots) if (slot.lastUsed < before) this.slots.delete(key);
    if (this.slots.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}

const noop = () => undefined;

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === "function";
}

const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;
const usedVariables = new WeakMap<DocumentNode, Map<string, string[] | undefined>>();

/**
 * What, besides the event and the subscriber, decides an event's result: the operation (by
 * document; a document parsed once serves every subscription of the same text) and the values of
 * the variables it uses, but for those used only in the subscription field's stream arguments
 * (`after`, where the stream starts). Undefined when the operation is not found.
 */
function selectionKey(args: ExecutionArgs, streamArguments: ReadonlySet<string>): string | undefined {
  let documentId = documentIds.get(args.document);
  if (documentId === undefined) {
    documentId = ++nextDocumentId;
    documentIds.set(args.document, documentId);
  }
  let byOperation = usedVariables.get(args.document);
  if (!byOperation) {
    byOperation = new Map();
    usedVariables.set(args.document, byOperation);
  }
  const name = args.operationName ?? "";
  if (!byOperation.has(name)) byOperation.set(name, variablesOf(args.document.definitions, args.operationName, streamArguments));
  const names = byOperation.get(name);
  if (!names) return undefined;
  const values = args.variableValues ?? {};
  return `${documentId}\n${name}\n${JSON.stringify(names.map((n) => values[n] ?? null))}`;
}

function variablesOf(
  definitions: readonly DefinitionNode[],
  operationName: string | null | undefined,
  streamArguments: ReadonlySet<string>,
): string[] | undefined {
  const operations = definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation) return undefined;
  const names = new Set<string>();
  const collect = { Variable: (node: { name: { value: string } }) => void names.add(node.name.value) };
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) {
      visit(selection, collect);
      continue;
    }
    for (const argument of selection.arguments ?? []) if (!streamArguments.has(argument.name.value)) visit(argument, collect);
    for (const directive of selection.directives ?? []) visit(directive, collect);
    if (selection.selectionSet) visit(selection.selectionSet, collect);
  }
  for (const definition of definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition, collect);
  return [...names].sort();
}
