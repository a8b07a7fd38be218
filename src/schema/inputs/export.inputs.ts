import { ValidateNested } from "class-validator";
import { Field, InputType } from "type-graphql";
import { TicketFilter } from "./ticket.inputs";

@InputType("ExportTicketsInput")
export class ExportTicketsInput {
  @Field(() => TicketFilter, { description: "The tickets to export: the same filter, checked the same way, as the tickets query's." })
  @ValidateNested()
  filter: TicketFilter;
}
