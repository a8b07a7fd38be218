import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { oneOf } from "./checks";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

export enum ExportStatus {
  /** Asked for; not started yet. */
  PENDING = "PENDING",
  /** Rows are being written to its file. */
  RUNNING = "RUNNING",
  /** Its file is complete and may be downloaded until expiresAt. */
  DONE = "DONE",
  /** It stopped (an error, or the server stopped while it ran); no file is kept. */
  FAILED = "FAILED",
  /** Past its retention: its file is deleted. */
  EXPIRED = "EXPIRED",
}

/**
 * A CSV export of the tickets of one filter, asked for by one member and seen only by them. Its
 * rows are written to a file named by its id under EXPORT_DIR (services/exports/export-runner.ts);
 * the row holds its state and progress, which any process reads.
 */
@Entity({ name: "ticket_exports" })
@Check("ticket_exports_status_check", oneOf("status", ExportStatus))
@Index("ticket_exports_member_idx", { synchronize: false })
@Index("ticket_exports_active_idx", { synchronize: false })
export class TicketExport {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "ticket_exports_workspace_id_fkey" })
  workspace?: Workspace;

  /** The member who asked for it (a User id): the only one who sees it. */
  @Column("uuid")
  userId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "ticket_exports_user_id_fkey" })
  user?: User;

  /** The inbox filter, as the services read it (folder, status, topicId, search). */
  @Column("jsonb")
  filter: Record<string, unknown>;

  @Column("text", { default: ExportStatus.PENDING })
  status: ExportStatus;

  /** The tickets counted when it started: what progress is measured against. */
  @Column("integer", { default: 0 })
  totalCount: number;

  /** The rows written so far. */
  @Column("integer", { default: 0 })
  rowCount: number;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;

  /** Written by the process running it, at least every few seconds: a stale one was interrupted. */
  @Column("timestamptz", { nullable: true })
  heartbeatAt: Date | null;

  @Column("timestamptz", { nullable: true })
  finishedAt: Date | null;

  /** When DONE: until when it may be downloaded. */
  @Column("timestamptz", { nullable: true })
  expiresAt: Date | null;

  /** When FAILED: a short reason for the member, never a stack or SQL. */
  @Column("text", { nullable: true })
  error: string | null;
}

/** A single-use download link that was used: its nonce may not be used again. */
@Entity({ name: "ticket_export_downloads" })
@Index("ticket_export_downloads_export_idx", ["exportId"])
export class TicketExportDownload {
  @PrimaryColumn("text")
  nonce: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "ticket_export_downloads_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("uuid")
  exportId: string;

  @ManyToOne(() => TicketExport, { onDelete: "CASCADE" })
  @JoinColumn({ name: "export_id", foreignKeyConstraintName: "ticket_export_downloads_export_id_fkey" })
  export?: TicketExport;

  @Column("timestamptz", { default: () => "now()" })
  usedAt: Date;
}
