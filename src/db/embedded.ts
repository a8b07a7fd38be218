/**
 * Embedded PostgreSQL for `npm start` without DATABASE_URL.
 *
 * PGlite (Postgres 18 compiled to WASM, data kept in a directory) runs inside
 * this process and is served on 127.0.0.1 over the Postgres wire protocol, so
 * the ordinary `pg` driver (and TypeORM) reach it with a connection URL.
 *
 * Behaviour worth knowing (see also the notes at the end of this file):
 *  - PGlite is ONE backend session. Every client connection shares it: a
 *    transaction, a `SET`, a temp table, a named prepared statement or a
 *    session advisory lock taken on one connection is visible to all of them.
 *  - Work is serialised. While a connection is inside BEGIN...COMMIT (or in the
 *    middle of an extended-protocol Parse/Bind/Execute...Sync cycle, or a
 *    COPY), other connections' messages wait in a queue. Consequently code that,
 *    inside a transaction, waits for a query on ANOTHER pooled connection
 *    deadlocks (the other query can never run).
 *  - A connection that goes away mid-transaction or mid-cycle has its work
 *    rolled back (never committed) before anybody else runs.
 *  - LISTEN/NOTIFY does not cross connections.
 *
 * The socket side uses @electric-sql/pglite-socket's connection handler
 * (`PGLiteSocketHandler`, which parses the wire protocol into messages), but
 * NOT its stock query queue / `PGLiteSocketServer`: in pglite-socket 0.2.17
 * the stock queue only keeps a connection "exclusive" while an explicit
 * transaction block is open, so the messages of an extended-protocol cycle
 * (Parse, Bind, Describe, Execute, Sync) from two connections can interleave
 * when a batch arrives in more than one TCP chunk (any large parameter does
 * that): another client's Parse replaces the unnamed statement and the first
 * client binds the wrong statement ("bind message supplies 2 parameters, but
 * prepared statement "" requires 1", or values landing in the wrong query).
 * Its queue also stops for good if PGlite throws once, and its server answers
 * an over-limit connection with plain text instead of a protocol error.
 * The queue below keeps a connection exclusive from its first message until
 * the backend reports ReadyForQuery with status Idle.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from "@electric-sql/pglite-socket";

export interface EmbeddedDatabase {
  /** postgres://postgres:postgres@127.0.0.1:<port>/postgres */
  url: string;
  /** Disconnects all clients, closes the listener and PGlite, releases the data dir lock. Idempotent. */
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Directory holding the PGlite cluster (created if missing, parents included). */
  dataDir: string;
  /** Maximum simultaneous client connections (pool size + dedicated listeners). */
  maxConnections: number;
  /** TCP port on 127.0.0.1; 0 (default) picks a free port. */
  port?: number;
  /**
   * A freshly initialised cluster, cleanly closed, made by the same PGlite version: copied into a
   * dataDir that holds no cluster yet, instead of initdb (about 5 s of CPU; the copy takes a
   * fraction of a second). Skipped when the copy fails: initdb runs then.
   */
  template?: string;
}

/**
 * Contrib extensions bundled into the PGlite instance. PGlite can only
 * `CREATE EXTENSION` what was handed to it here at creation time; only these
 * appear in pg_available_extensions (plus the always-present plpgsql).
 * gen_random_uuid() is built into Postgres 13+ and needs none of them.
 * uuid-ossp is included because TypeORM runs `CREATE EXTENSION "uuid-ossp"`
 * for uuid primary columns unless `uuidExtension: "pgcrypto"` is configured.
 */
async function loadExtensions() {
  // Dynamic imports: the contrib entry points only ship ESM type declarations, which a CommonJS module
  // may not `import` statically (TS1479). Under swc (jest, @swc-node/register) these become require()
  // of the .cjs builds; compiled by tsc they stay import() of the ESM builds. Both work.
  const [{ pg_trgm }, { citext }, { pgcrypto }, { uuid_ossp }] = await Promise.all([
    import("@electric-sql/pglite/contrib/pg_trgm"),
    import("@electric-sql/pglite/contrib/citext"),
    import("@electric-sql/pglite/contrib/pgcrypto"),
    import("@electric-sql/pglite/contrib/uuid_ossp"),
  ]);
  return { pg_trgm, citext, pgcrypto, uuid_ossp };
}

const HOST = "127.0.0.1";
const LOCK_FILE_NAME = "handover-embedded.lock";

/** Data dirs locked by this very process (absolute paths). */
const locksHeldHere = new Set<string>();

export async function startEmbeddedDatabase(opts: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const { maxConnections } = opts;
  const port = opts.port ?? 0;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new Error(`embedded database: maxConnections must be a positive integer, got ${String(maxConnections)}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`embedded database: invalid port ${String(port)}`);
  }
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });

  const lock = acquireDataDirLock(dataDir);
  let db: PGlite | undefined;
  let server: SocketServer | undefined;
  try {
    if (opts.template) seedFromTemplate(dataDir, opts.template);
    try {
      db = await PGlite.create({ dataDir, extensions: await loadExtensions() });
    } catch (err) {
      throw new Error(`embedded database: could not open PGlite data directory ${dataDir}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    server = new SocketServer(db, maxConnections);
    const actualPort = await server.listen(port);
    const openedDb = db;
    const openedServer = server;
    let stopping: Promise<void> | undefined;
    return {
      url: `postgres://postgres:postgres@${HOST}:${actualPort}/postgres`,
      stop() {
        stopping ??= (async () => {
          try {
            await openedServer.close();
          } finally {
            try {
              if (!openedDb.closed) await openedDb.close();
            } finally {
              lock.release();
            }
          }
        })();
        return stopping;
      },
    };
  } catch (err) {
    await server?.close().catch(() => undefined);
    if (db && !db.closed) await db.close().catch(() => undefined);
    lock.release();
    throw err;
  }
}

/**
 * Copies the template cluster into a dataDir that holds none (no PG_VERSION), through a staging
 * folder, PG_VERSION last: PGlite takes a folder with PG_VERSION for a cluster. On any failure
 * the dataDir is left as it was, for initdb.
 */
function seedFromTemplate(dataDir: string, template: string): void {
  if (fs.existsSync(path.join(dataDir, "PG_VERSION")) || !fs.existsSync(path.join(template, "PG_VERSION"))) return;
  let staging: string | undefined;
  const moved: string[] = [];
  try {
    staging = fs.mkdtempSync(path.join(dataDir, ".template-"));
    fs.cpSync(template, staging, { recursive: true });
    const entries = fs.readdirSync(staging).sort((a, b) => Number(a === "PG_VERSION") - Number(b === "PG_VERSION"));
    for (const entry of entries) {
      fs.renameSync(path.join(staging, entry), path.join(dataDir, entry));
      moved.push(entry);
    }
  } catch {
    for (const entry of moved) fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
  } finally {
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Data directory lock: a file holding the owner's PID, created exclusively.

interface DataDirLock {
  release(): void;
}

/** The data directory is held by another running server (or another instance in this process). */
export class DataDirInUseError extends Error {
  constructor(
    message: string,
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(message);
    this.name = "DataDirInUseError";
  }
}

function acquireDataDirLock(dataDir: string): DataDirLock {
  const lockPath = path.join(dataDir, LOCK_FILE_NAME);
  const content = `${process.pid}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(lockPath, content, { flag: "wx" });
      break;
    } catch (err) {
      if (!isErrnoException(err) || err.code !== "EEXIST" || attempt >= 2) throw err;
    }
    const ownerPid = readLockPid(lockPath);
    const heldHere = locksHeldHere.has(dataDir);
    if (ownerPid !== undefined && (heldHere || (ownerPid !== process.pid && processIsAlive(ownerPid)))) {
      const detail =
        ownerPid === process.pid
          ? "this process (stop() the other instance first)"
          : `process ${ownerPid} (lock file ${lockPath}; stop that process first, or delete the file if it is not a Handover server)`;
      throw new DataDirInUseError(`embedded database: data directory ${dataDir} is already in use by ${detail}`, dataDir, ownerPid);
    }
    // Stale: owner gone (or a recycled PID equal to ours, e.g. PID 1 in a container). Take over.
    fs.rmSync(lockPath, { force: true });
  }
  locksHeldHere.add(dataDir);

  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener("exit", release);
    locksHeldHere.delete(dataDir);
    try {
      if (readLockPid(lockPath) === process.pid) fs.rmSync(lockPath, { force: true });
    } catch {
      // best effort
    }
  };
  // If the process exits without stop(), still drop the lock (SIGKILL leaves a stale one, detected above).
  process.on("exit", release);
  return { release };
}

function readLockPid(lockPath: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(lockPath, "utf8");
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrnoException(err) && err.code === "EPERM";
  }
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  // Not `instanceof Error`: errors from node:fs fail that test inside other realms (jest's vm contexts).
  return typeof err === "object" && err !== null && "code" in err;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------
// TCP listener: one PGLiteSocketHandler per client connection.

class SocketServer {
  private readonly server: net.Server;
  private readonly handlers = new Set<PGLiteSocketHandler>();
  private readonly sockets = new Set<net.Socket>();
  private readonly queue: SessionQueue;
  private closing: Promise<void> | undefined;

  constructor(
    db: PGlite,
    private readonly maxConnections: number,
  ) {
    this.queue = new SessionQueue(db);
    this.server = net.createServer((socket) => this.onConnection(socket));
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(new Error(`embedded database: cannot listen on ${HOST}:${port}: ${err.message}`, { cause: err }));
      };
      this.server.once("error", onError);
      this.server.listen(port, HOST, () => {
        this.server.removeListener("error", onError);
        this.server.on("error", () => undefined); // after listening, errors are per-connection
        const address = this.server.address();
        if (address === null || typeof address === "string") {
          reject(new Error("embedded database: unexpected server address"));
          return;
        }
        resolve(address.port);
      });
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const serverClosed = new Promise<void>((resolve) => {
        if (!this.server.listening) return resolve();
        this.server.close(() => resolve());
      });
      await Promise.all([...this.handlers].map((handler) => handler.detach(true).catch(() => undefined)));
      this.handlers.clear();
      for (const socket of this.sockets) socket.destroy();
      await serverClosed;
      await this.queue.drain();
    })();
    return this.closing;
  }

  private onConnection(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => undefined);
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.handlers.size >= this.maxConnections) {
      // Same answer as a real server: SQLSTATE 53300, which pg reports as an error on connect().
      socket.end(errorResponse("53300", `sorry, too many clients already (embedded database allows ${this.maxConnections})`));
      return;
    }
    const handler = new PGLiteSocketHandler({
      // Our queue provides every public method of pglite-socket's QueryQueueManager (checked below).
      queryQueue: this.queue as unknown as PGLiteSocketHandlerOptions["queryQueue"],
      closeOnDetach: true,
    });
    this.handlers.add(handler);
    const forget = (): void => {
      this.handlers.delete(handler);
    };
    handler.addEventListener("close", forget);
    handler.addEventListener("error", forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  }
}

/** A backend ErrorResponse message (used before the startup handshake). */
function errorResponse(sqlState: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${sqlState}\0M${message}\0\0`, "utf8");
  const header = Buffer.alloc(5);
  header.write("E", 0, "latin1");
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}

// ---------------------------------------------------------------------------
// Serialising queue: which connection may talk to the single PGlite session.

interface MessageJob {
  kind: "message";
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: Error) => void;
}

interface ReleaseJob {
  kind: "release";
  handlerId: number;
  resolve: () => void;
}

type Job = MessageJob | ReleaseJob;

const MSG_TERMINATE = 0x58; // 'X'
const MSG_READY_FOR_QUERY = 0x5a; // 'Z'
const TX_IDLE = 0x49; // 'I'

/**
 * Runs wire-protocol messages of many client connections against one PGlite
 * session, strictly one at a time, per connection in arrival order.
 *
 * Ownership: once a connection's message has run, that connection keeps the
 * session until the backend emits ReadyForQuery with status 'I' (idle, no
 * transaction). That covers an explicit transaction (status 'T' or failed
 * 'E'), an extended-protocol cycle that has not reached Sync yet, and
 * COPY FROM STDIN. Meanwhile other connections' messages wait.
 * If the owner disconnects, its work is rolled back and ownership is dropped.
 */
class SessionQueue {
  private jobs: Job[] = [];
  private owner: number | null = null;
  /** The named statements each connection prepared: the session is shared, their names are not. */
  private readonly prepared = new Map<number, Set<string>>();
  private running: number | null = null;
  private pumping = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly db: PGlite) {}

  // --- the interface PGLiteSocketHandler calls -------------------------------

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    if (message.length > 0 && message[0] === MSG_TERMINATE) {
      // Never let a client terminate the shared backend; the socket close that follows releases the session.
      return Promise.resolve(0);
    }
    return new Promise<number>((resolve, reject) => {
      this.jobs.push({ kind: "message", handlerId, message, onData, resolve, reject });
      this.pump();
    });
  }

  getQueueLength(): number {
    return this.jobs.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.jobs = this.jobs.filter((job) => {
      if (job.handlerId !== handlerId || job.kind !== "message") return true;
      job.reject(new Error("Handler disconnected"));
      return false;
    });
  }

  /**
   * Called when a connection goes away: undo whatever it left open and drop the statements it
   * prepared (in a session of its own they would have gone with it), then let the others run.
   */
  clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId && this.running !== handlerId && !this.prepared.has(handlerId)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.jobs.push({ kind: "release", handlerId, resolve });
      this.pump();
    });
  }

  // --- internals ----------------------------------------------------------------

  /** Resolves once nothing is running (queued jobs of dead connections are irrelevant at shutdown). */
  drain(): Promise<void> {
    if (!this.pumping) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.runJobs().finally(() => {
      this.pumping = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
  }

  private nextJob(): Job | undefined {
    const index = this.owner === null ? 0 : this.jobs.findIndex((job) => job.handlerId === this.owner);
    if (index < 0 || index >= this.jobs.length) return undefined;
    return this.jobs.splice(index, 1)[0];
  }

  private async runJobs(): Promise<void> {
    for (let job = this.nextJob(); job; job = this.nextJob()) {
      this.running = job.handlerId;
      try {
        if (job.kind === "message") await this.runMessage(job);
        else await this.runRelease(job);
      } finally {
        this.running = null;
      }
    }
  }

  private async runMessage(job: MessageJob): Promise<void> {
    const scanner = new ReadyForQueryScanner();
    let bytes = 0;
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(job.message, {
          onRawData: (data: Uint8Array) => {
            bytes += data.length;
            scanner.push(data);
            job.onData(data);
          },
        }),
      );
    } catch (err) {
      // PGlite itself failed (not an SQL error, those come back as ErrorResponse messages).
      this.owner = null;
      job.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    // A statement this connection prepared is its own to drop when it goes: only once prepared
    // (a Parse refused, say for a name another connection holds, drops nothing of theirs).
    const prepared = preparedName(job.message);
    if (prepared && scanner.parsed) {
      const names = this.prepared.get(job.handlerId) ?? new Set<string>();
      names.add(prepared);
      this.prepared.set(job.handlerId, names);
    }
    const status = scanner.lastStatus;
    if (status === null)
      this.owner = job.handlerId; // cycle not finished (no Sync yet, COPY in progress)
    else this.owner = status === TX_IDLE ? null : job.handlerId;
    job.resolve(bytes);
  }

  /**
   * Runs a message of the queue's own, its answer heard by no client. (PGlite keeps the last
   * execProtocolRawStream's data callback for later execProtocolRaw calls: their answers would
   * reach the last client served.)
   */
  private runUnheard(message: Uint8Array): Promise<void> {
    return this.db.execProtocolRawStream(message, { onRawData: () => undefined });
  }

  private async runRelease(job: ReleaseJob): Promise<void> {
    try {
      if (this.owner === job.handlerId && !this.db.closed) {
        await this.db.runExclusive(async () => {
          // A simple-query ROLLBACK aborts an explicit transaction and also the implicit transaction of
          // an unfinished extended-protocol cycle (so half-sent work is never committed by a later Sync).
          // If the backend is skipping messages until Sync after an error, it ignores that ROLLBACK;
          // the Sync ends the cycle, and a second ROLLBACK ends a still-open (failed) explicit block.
          await this.runUnheard(simpleQuery("ROLLBACK"));
          await this.runUnheard(SYNC_MESSAGE);
          if (this.db.isInTransaction()) await this.runUnheard(simpleQuery("ROLLBACK"));
        });
      }
      const names = this.prepared.get(job.handlerId);
      this.prepared.delete(job.handlerId);
      if (names && !this.db.closed) {
        // One statement each: a name whose Parse failed is not there, and its error stops no other.
        await this.db.runExclusive(async () => {
          for (const name of names) {
            await this.runUnheard(simpleQuery(`DEALLOCATE "${name.replaceAll('"', '""')}"`)).catch(() => undefined);
          }
        });
      }
    } catch {
      // The connection is gone anyway; the next client will see the backend's real state.
    } finally {
      if (this.owner === job.handlerId) this.owner = null;
      job.resolve();
    }
  }
}

// Compile-time check that SessionQueue offers every public member of pglite-socket's queue type.
type PublicMembers<T> = { [K in keyof T]: T[K] };
const _sessionQueueIsCompatible: (q: SessionQueue) => PublicMembers<PGLiteSocketHandlerOptions["queryQueue"]> = (q) => q;
void _sessionQueueIsCompatible;

const SYNC_MESSAGE = new Uint8Array([0x53, 0, 0, 0, 4]); // 'S', length 4
const MSG_PARSE = 0x50; // 'P'
const MSG_PARSE_COMPLETE = 0x31; // '1'

/** The statement name of a Parse message ('P', int32 length, name, NUL, ...), when named. */
function preparedName(message: Uint8Array): string | undefined {
  if (message.length < 6 || message[0] !== MSG_PARSE || message[5] === 0) return undefined;
  const end = message.indexOf(0, 5);
  return end < 0 ? undefined : Buffer.from(message.subarray(5, end)).toString("utf8");
}

function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, "utf8");
  const message = Buffer.alloc(5 + text.length);
  message.write("Q", 0, "latin1");
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return new Uint8Array(message);
}

/**
 * Follows backend message framing (type byte, int32 length, body) across
 * chunks and records the transaction status of the last ReadyForQuery.
 */
class ReadyForQueryScanner {
  /** 'I', 'T' or 'E' of the last ReadyForQuery seen, or null if none. */
  lastStatus: number | null = null;
  /** A ParseComplete was seen. */
  parsed = false;
  private header = Buffer.alloc(5);
  private headerFilled = 0;
  private bodyRemaining = 0;
  private bodyOffset = 0;
  private currentType = 0;

  push(data: Uint8Array): void {
    let i = 0;
    while (i < data.length) {
      if (this.bodyRemaining > 0) {
        if (this.currentType === MSG_READY_FOR_QUERY && this.bodyOffset === 0) this.lastStatus = data[i];
        const take = Math.min(this.bodyRemaining, data.length - i);
        i += take;
        this.bodyOffset += take;
        this.bodyRemaining -= take;
        continue;
      }
      this.header[this.headerFilled++] = data[i++];
      if (this.headerFilled === 5) {
        this.headerFilled = 0;
        this.currentType = this.header[0];
        if (this.currentType === MSG_PARSE_COMPLETE) this.parsed = true;
        this.bodyRemaining = Math.max(0, this.header.readInt32BE(1) - 4);
        this.bodyOffset = 0;
      }
    }
  }
}

/*
 * Notes
 * - Connect with any user/password; PGlite trusts everyone. Only the database
 *   "postgres" exists.
 * - Cold start (initdb) takes a few seconds and several hundred MB RSS; a
 *   warm start is well under a second.
 * - Call stop() on SIGINT/SIGTERM: PGlite then shuts down cleanly. After a
 *   hard kill the next start recovers from the WAL and takes over the stale
 *   lock file.
 */
