import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { TX_POSITION_DEFAULT } from "./column-defaults";
import { Contact } from "./contact.entity";
import { Flow } from "./flow.entity";
import { Ticket } from "./ticket.entity";
import { Trigger } from "./trigger.entity";
import { Workspace } from "./workspace.entity";

/** A flow start asked of the flow engine, written in the transaction that caused it. */
@Entity({ name: "flow_starts" })
@Index("flow_starts_cursor_idx", ["workspaceId", "txId", "seq"])
export class FlowStart {
  @PrimaryColumn("uuid")
  id: string;

  @Column("uuid")
  workspaceId: string;

  @ManyToOne(() => Workspace, { onDelete: "CASCADE" })
  @JoinColumn({ name: "workspace_id", foreignKeyConstraintName: "flow_starts_workspace_id_fkey" })
  workspace?: Workspace;

  @Column("bigint", { default: TX_POSITION_DEFAULT })
  txId: string;

  @Column("bigint", { default: () => "nextval('flow_starts_seq')" })
  seq: string;

  @Column("uuid")
  flowId: string;

  @ManyToOne(() => Flow)
  @JoinColumn({ name: "flow_id", foreignKeyConstraintName: "flow_starts_flow_id_fkey" })
  flow?: Flow;

  @Column("uuid")
  contactId: string;

  @ManyToOne(() => Contact, { onDelete: "CASCADE" })
  @JoinColumn({ name: "contact_id", foreignKeyConstraintName: "flow_starts_contact_id_fkey" })
  contact?: Contact;

  @Column("uuid", { nullable: true })
  ticketId: string | null;

  @ManyToOne(() => Ticket, { onDelete: "SET NULL" })
  @JoinColumn({ name: "ticket_id", foreignKeyConstraintName: "flow_starts_ticket_id_fkey" })
  ticket?: Ticket;

  @Column("uuid", { nullable: true })
  triggerId: string | null;

  @ManyToOne(() => Trigger, { onDelete: "SET NULL" })
  @JoinColumn({ name: "trigger_id", foreignKeyConstraintName: "flow_starts_trigger_id_fkey" })
  trigger?: Trigger;

  @Column("timestamptz", { default: () => "now()" })
  createdAt: Date;
}
