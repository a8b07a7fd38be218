import { EventEmitter, once } from "node:events";
import fs from "node:fs";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import { fieldsVisibleTo } from "../../auth/visibility";
import type { Actor, AuthedContext } from "../../context";
import { byDisplayOrder, fieldsOf } from "../../db/rows";
import { returningRows } from "../../db/returning";
import { inWorkspaceScope, runInSqlScope, unscoped } from "../../db/sql-scope";
import { UnitOfWork } from "../../db/unit-of-work";
import { ExportStatus, Role, TokenKind } from "../../entities";
import type { InboxCursor, InboxFilter, InboxService, InboxTicket } from "../tickets/inbox.service";
import { csvLine } from "./csv";
import { DownloadLinks } from "./download-link";
import { EXPORT_COLUMNS, type ExportRow } from "./export.service";

export interface ExportRunnerOptions {
  /** Where the files go (EXPORT_DIR): `<id>.csv`, `<id>.csv.part` while written. */
  exportDir: string;
  /** How long a finished export may be downloaded. */
  retentionHours: number;
  /** The tickets read per statement, and written before the next is read. */
  pageSize?: number;
  /** A running export whose heartbeat is older than this was interrupted (its process stopped). */
  staleAfterMs?: number;
  /** The API's id of a row: the file names tickets and contacts as the API does. */
  globalId: (type: string, uuid: string) => string;
}

/** An export's file, open for reading, and the name it is downloaded as. */
export interface Download {
  handle: FileHandle;
  size: number;
  filename: string;
}

/** A failure whose message the member may read (every other failure is told as FAILED_MESSAGE). */
class ExportFailure extends Error {}

const FAILED_MESSAGE = "The export failed. Try again; if it fails again, tell your administrator the export's id.";
export const INTERRUPTED_MESSAGE = "The export was interrupted by a server restart. Start it again.";

/** Progress is written at most this often (and at least this often while rows are written). */
const PROGRESS_INTERVAL_MS = 1000;

/**
 * Runs exports in the background of this process: claims a PENDING export, counts its tickets,
 * then pages through them in the inbox's order (keyset pages of `pageSize`, each its own short
 * read, so no connection or transaction is held between pages and the embedded database stays
 * free), writing each page to the file's stream and waiting for it to drain before reading the
 * next: memory holds one page, whatever the export's size.
 *
 * Its state is the row's: status, rowCount and a heartbeat written every second, read by every
 * process (the exports query, the exportProgress subscription). This process's subscribers are
 * also told at once through `onChange`. An export whose heartbeat stops (its process died) is
 * marked FAILED by the sweep of any process; one interrupted by a shutdown is marked FAILED at
 * once. Its partial file is removed either way.
 */
export class ExportRunner {
  readonly links: DownloadLinks;
  private readonly jobs = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly changes = new EventEmitter();
  private closed = false;
  private readonly pageSize: number;
  private readonly staleAfterMs: number;

  constructor(
    private readonly db: DataSource,
    private readonly inbox: InboxService,
    private readonly log: Logger,
    private readonly options: ExportRunnerOptions,
  ) {
    this.links = new DownloadLinks(options.exportDir);
    this.changes.setMaxListeners(0);
    this.pageSize = options.pageSize ?? 1000;
    this.staleAfterMs = options.staleAfterMs ?? 30_000;
  }

  /** The finished file of an export (ids are uuids: no other path can be named). */
  fileOf(id: string): string {
    return path.join(this.options.exportDir, `${id}.csv`);
  }

  /** Calls `listener` each time this process changes the export's row. Returns a remover. */
  onChange(id: string, listener: () => void): () => void {
    this.changes.on(id, listener);
    return () => this.changes.off(id, listener);
  }

  /** How many exports this process is running. */
  get running(): number {
    return this.jobs.size;
  }

  /** Starts a PENDING export in the background (after the commit that made it). */
  start(id: string, workspaceId: string): void {
    if (this.closed || this.jobs.has(id)) return;
    const abort = new AbortController();
    const done = inWorkspaceScope(`export:${id}`, workspaceId, () => this.run(id, workspaceId, abort.signal))
      .catch((error: unknown) => this.log.error({ err: error, exportId: id }, "an export could not record how it ended"))
      .finally(() => this.jobs.delete(id));
    this.jobs.set(id, { abort, done });
  }

  private async run(id: string, workspaceId: string, signal: AbortSignal): Promise<void> {
    const part = `${this.fileOf(id)}.part`;
    let out: fs.WriteStream | undefined;
    try {
      const [claimed] = returningRows<{ userId: string; filter: InboxFilter }>(
        await this.db.query(
          `UPDATE ticket_exports SET status = '${ExportStatus.RUNNING}', heartbeat_at = now()
            WHERE workspace_id = $1 AND id = $2 AND status = '${ExportStatus.PENDING}'
            RETURNING user_id AS "userId", filter`,
          [workspaceId, id],
        ),
      );
      if (!claimed) return;
      this.changed(id);
      const actor = await this.requester(workspaceId, claimed.userId);
      const ctx = { actor, work: new UnitOfWork(this.db) } as AuthedContext;
      // The columns the requester may see now (the one rule of fieldsVisibleTo), in display order.
      const fields = fieldsVisibleTo(actor.role, (await fieldsOf(this.db.manager, workspaceId)).sort(byDisplayOrder)).map((v) => v.field);
      await mkdir(this.options.exportDir, { recursive: true }).catch(() => {
        throw new ExportFailure("The export's file could not be written: the server's export folder is not writable.");
      });
      out = fs.createWriteStream(part, { flags: "w", mode: 0o600 });
      // An error is seen where it matters (a write, the end); a write still queued when the stream
      // is destroyed (a shutdown aborting the export) must not become an uncaught error.
      out.on("error", (error: Error) => this.log.debug({ err: error, exportId: id }, "an export's file stream failed"));
      const opened = once(out, "open");
      await opened.catch(() => {
        throw new ExportFailure("The export's file could not be written: the server's export folder is not writable.");
      });
      await write(out, csvLine([...HEADER, ...fields.map((f) => f.key)]));

      let cursor: InboxCursor | undefined;
      let rows = 0;
      let lastBeat = Date.now();
      for (;;) {
        if (signal.aborted) throw new ExportFailure(INTERRUPTED_MESSAGE);
        const page = await this.inbox.page(
          ctx,
          claimed.filter,
          this.pageSize,
          cursor,
          { contact: true, topic: true, assignee: true },
          // The total is read once, with the first page.
          { countSearch: true, count: cursor === undefined },
        );
        if (cursor === undefined) {
          await this.db.query(`UPDATE ticket_exports SET total_count = $3 WHERE workspace_id = $1 AND id = $2`, [
            workspaceId,
            id,
            page.totalCount ?? page.tickets.length,
          ]);
        }
        const values = await this.fieldValues(workspaceId, page.tickets, fields.length > 0);
        let chunk = "";
        for (const t of page.tickets) chunk += csvLine(this.line(t, fields, values));
        if (chunk) await write(out, chunk);
        rows += page.tickets.length;
        const last = page.tickets[page.tickets.length - 1];
        if (!page.hasNextPage || !last) break;
        cursor = { status: last.status, lastActivityUs: last.sortKey, id: last.id, snapshot: page.snapshot };
        if (Date.now() - lastBeat >= PROGRESS_INTERVAL_MS) {
          lastBeat = Date.now();
          await this.db.query(`UPDATE ticket_exports SET row_count = $3, heartbeat_at = now() WHERE workspace_id = $1 AND id = $2`, [
            workspaceId,
            id,
            rows,
          ]);
          this.changed(id);
        }
      }
      out.end();
      await once(out, "finish");
      await rename(part, this.fileOf(id));
      await this.db.query(
        `UPDATE ticket_exports
            SET status = '${ExportStatus.DONE}', row_count = $3, total_count = GREATEST(total_count, $3), heartbeat_at = now(),
                finished_at = now(), expires_at = now() + $4 * interval '1 hour'
          WHERE workspace_id = $1 AND id = $2`,
        [workspaceId, id, rows, this.options.retentionHours],
      );
      this.changed(id);
    } catch (error) {
      out?.destroy();
      await rm(part, { force: true }).catch(() => undefined);
      const told = error instanceof ExportFailure ? error.message : FAILED_MESSAGE;
      if (!(error instanceof ExportFailure)) this.log.error({ err: error, exportId: id }, "an export failed");
      await this.db.query(
        `UPDATE ticket_exports SET status = '${ExportStatus.FAILED}', error = $3, finished_at = now()
          WHERE workspace_id = $1 AND id = $2 AND status IN ('${ExportStatus.PENDING}', '${ExportStatus.RUNNING}')`,
        [workspaceId, id, told],
      );
      this.changed(id);
    }
  }

  /** The requester as they are now: one who may no longer export ends the export. */
  private async requester(workspaceId: string, userId: string): Promise<Actor> {
    const [member] = await this.db.query<Array<{ id: string; role: Role }>>(
      `SELECT id, role FROM memberships WHERE workspace_id = $1 AND user_id = $2`,
      [workspaceId, userId],
    );
    if (!member || (member.role !== Role.ADMINISTRATOR && member.role !== Role.EDITOR)) {
      throw new ExportFailure("Your role no longer allows exports.");
    }
    // Administrators and editors see every topic and every field.
    return {
      userId,
      membershipId: member.id,
      workspaceId,
      role: member.role,
      tokenId: "",
      tokenKind: TokenKind.SESSION,
      teamId: null,
      topicIds: null,
      canAssign: true,
      canReplyToOthers: true,
    };
  }

  /** The field values of a page's contacts, by contact and field. */
  private async fieldValues(workspaceId: string, tickets: InboxTicket[], any: boolean): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    if (!any || tickets.length === 0) return values;
    const rows = await this.db.query<Array<{ contactId: string; fieldId: string; value: string }>>(
      `SELECT contact_id AS "contactId", field_id AS "fieldId", value FROM contact_field_values WHERE workspace_id = $1 AND contact_id = ANY($2)`,
      [workspaceId, [...new Set(tickets.map((t) => t.contactId))]],
    );
    for (const r of rows) values.set(`${r.contactId}/${r.fieldId}`, r.value);
    return values;
  }

  private line(t: InboxTicket, fields: Array<{ id: string }>, values: Map<string, string>): string[] {
    const { contact, topic, assignee } = t.related;
    return [
      this.options.globalId("Ticket", t.id),
      this.options.globalId("Contact", t.contactId),
      contact?.name ?? "",
      (contact?.urns ?? []).join(" "),
      topic?.name ?? "",
      assignee?.name ?? "",
      assignee?.email ?? "",
      t.status,
      iso(t.openedAt),
      iso(t.repliedAt),
      iso(t.closedAt),
      iso(t.lastActivityAt),
      ...fields.map((f) => values.get(`${t.contactId}/${f.id}`) ?? ""),
    ];
  }

  private changed(id: string): void {
    this.changes.emit(id);
  }

  /**
   * Marks FAILED the exports whose process stopped while running them (no heartbeat for
   * `staleAfterMs`), and EXPIRED the finished ones past their retention, deleting their files.
   * Spans workspaces: every process runs it, for every export.
   */
  async sweep(): Promise<void> {
    await runInSqlScope("exports:sweep", () =>
      unscoped(async () => {
        const interrupted = returningRows<{ id: string }>(
          await this.db.query(
            `UPDATE ticket_exports SET status = '${ExportStatus.FAILED}', error = $1, finished_at = now()
              WHERE status IN ('${ExportStatus.PENDING}', '${ExportStatus.RUNNING}')
                AND coalesce(heartbeat_at, created_at) < now() - $2 * interval '1 millisecond'
                AND NOT (id = ANY($3::uuid[]))
              RETURNING id`,
            [INTERRUPTED_MESSAGE, this.staleAfterMs, [...this.jobs.keys()]],
          ),
        );
        const expired = returningRows<{ id: string }>(
          await this.db.query(
            `UPDATE ticket_exports SET status = '${ExportStatus.EXPIRED}'
              WHERE status = '${ExportStatus.DONE}' AND expires_at <= now() RETURNING id`,
          ),
        );
        for (const { id } of [...interrupted, ...expired]) {
          await rm(this.fileOf(id), { force: true });
          await rm(`${this.fileOf(id)}.part`, { force: true });
          this.changed(id);
        }
        if (expired.length > 0) {
          await this.db.query(`DELETE FROM ticket_export_downloads WHERE export_id = ANY($1::uuid[])`, [expired.map((e) => e.id)]);
        }
      }),
    );
  }

  /** Stops every running export of this process: each is marked FAILED (interrupted) and its partial file removed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.jobs.values()) job.abort.abort();
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  /**
   * The file of a DONE export not yet expired, opened (a sweep that deletes it meanwhile does not cut
   * the download short), for its requester (`actor`, an administrator or editor still) or for a
   * single-use link `token`, whose nonce is consumed. Undefined for anything else, whatever the reason.
   */
  async openDownload(request: { exportId: string; actor?: Actor; token?: string; consume?: boolean }): Promise<Download | undefined> {
    const { exportId, actor, token } = request;
    let finishedAt: Date | undefined;
    if (token !== undefined) {
      const nonce = this.links.verify(exportId, token);
      if (!nonce) return undefined;
      // The link is the credential, whoever sends it: the export's workspace is read from it. It
      // holds only while its requester may still export (demoted or removed, their links die), and
      // only a GET uses it up: a HEAD (a link preview, a scanner) asks without spending it.
      const downloadable = `x.id = $2 AND x.status = '${ExportStatus.DONE}' AND x.expires_at > now()
            AND EXISTS (SELECT 1 FROM memberships m WHERE m.workspace_id = x.workspace_id AND m.user_id = x.user_id
                          AND m.role IN ('${Role.ADMINISTRATOR}', '${Role.EDITOR}'))`;
      const [used] = await unscoped(() =>
        this.db.query<Array<{ finishedAt: Date }>>(
          request.consume === false
            ? `SELECT x.finished_at AS "finishedAt" FROM ticket_exports x
                WHERE ${downloadable} AND NOT EXISTS (SELECT 1 FROM ticket_export_downloads d WHERE d.nonce = $1)`
            : `INSERT INTO ticket_export_downloads (nonce, workspace_id, export_id)
               SELECT $1, x.workspace_id, x.id FROM ticket_exports x WHERE ${downloadable}
               ON CONFLICT (nonce) DO NOTHING
               RETURNING (SELECT finished_at FROM ticket_exports WHERE id = $2) AS "finishedAt"`,
          [nonce, exportId],
        ),
      );
      finishedAt = used?.finishedAt;
    } else if (actor && (actor.role === Role.ADMINISTRATOR || actor.role === Role.EDITOR)) {
      const [own] = await this.db.query<Array<{ finishedAt: Date }>>(
        `SELECT finished_at AS "finishedAt" FROM ticket_exports
          WHERE workspace_id = $1 AND user_id = $2 AND id = $3 AND status = '${ExportStatus.DONE}' AND expires_at > now()`,
        [actor.workspaceId, actor.userId, exportId],
      );
      finishedAt = own?.finishedAt;
    }
    if (!finishedAt) return undefined;
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.fileOf(exportId), "r");
      const { size } = await handle.stat();
      return { handle, size, filename: `tickets-${new Date(finishedAt).toISOString().slice(0, 10)}.csv` };
    } catch {
      await handle?.close();
      return undefined;
    }
  }

  /** An export's row in its workspace, as any process reads it. */
  async read(workspaceId: string, id: string): Promise<ExportRow | undefined> {
    const [row] = await inWorkspaceScope(`export:${id}`, workspaceId, () =>
      this.db.query<ExportRow[]>(`SELECT ${EXPORT_COLUMNS} FROM ticket_exports x WHERE x.workspace_id = $1 AND x.id = $2`, [
        workspaceId,
        id,
      ]),
    );
    return row;
  }
}

const HEADER = [
  "ticket_id",
  "contact_id",
  "contact_name",
  "contact_urns",
  "topic",
  "assignee",
  "assignee_email",
  "status",
  "opened_at",
  "replied_at",
  "closed_at",
  "last_activity_at",
];

function iso(date: Date | string | null | undefined): string {
  if (date === null || date === undefined) return "";
  return (date instanceof Date ? date : new Date(date)).toISOString();
}

/**
 * Writes with back-pressure: waits for the stream to drain when its buffer is full, or fails with
 * its error. Both listeners go once either fires (a listener left behind at every wait adds up over
 * a million rows).
 */
async function write(out: fs.WriteStream, chunk: string): Promise<void> {
  if (out.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      out.off("drain", drained);
      out.off("error", failed);
      if (error) reject(error);
      else resolve();
    };
    const drained = () => settle();
    const failed = (error: Error) => settle(error);
    out.once("drain", drained);
    out.once("error", failed);
  });
}
