import { Field, Float, Int, ObjectType } from "type-graphql";
import { ExportStatus } from "../../entities";
import { type ExportRow, progressOf } from "../../services/exports/export.service";
import { toGlobalId } from "../global-id";
import { MaxItems } from "../list-bounds";
import { MAX_USER_ERRORS, UserErrorObject } from "./common.types";
import { Node } from "./node";

@ObjectType("TicketExport", {
  implements: Node,
  description:
    "A CSV file of the tickets of a filter, written in the background; only the member who asked for it sees it. " +
    "Its file may be downloaded for 24 hours once DONE (see downloadUrl), then it is EXPIRED and deleted.",
})
export class TicketExportObject extends Node {
  row: ExportRow;

  @Field(() => ExportStatus)
  status: ExportStatus;

  @Field(() => Int, { description: "Tickets written so far (all of them once DONE)." })
  rowCount: number;

  @Field(() => Float, { description: "0..1: rowCount over the tickets counted when it started; 1 once DONE." })
  progress: number;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: "When it became DONE or FAILED." })
  finishedAt: Date | null;

  @Field(() => String, { nullable: true, description: "When FAILED: why, in a short sentence." })
  error: string | null;

  static from(row: ExportRow): TicketExportObject {
    return Object.assign(new TicketExportObject(), {
      id: toGlobalId("TicketExport", row.id),
      row,
      status: row.status,
      rowCount: row.rowCount,
      progress: progressOf(row),
      createdAt: row.createdAt,
      finishedAt: row.finishedAt,
      error: row.error,
    });
  }
}

@ObjectType("TicketExportPayload")
export class TicketExportPayload {
  @Field(() => TicketExportObject, { nullable: true })
  export: TicketExportObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
