import { IsOptional, Length } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { TriggerType } from "../enums";
import { IsGlobalId } from "../global-id";

@InputType("CreateTriggerInput", { description: "Exactly one of flowId and flowExternalId: a registered flow." })
export class CreateTriggerInput {
  @Field(() => TriggerType)
  type: TriggerType;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsGlobalId("Flow")
  flowId?: string | null;

  @Field(() => String, { nullable: true, description: "The flow engine's id of the flow, instead of flowId." })
  @IsOptional()
  @Length(1, 255)
  flowExternalId?: string | null;
}

@InputType("DeleteTriggerInput")
export class DeleteTriggerInput {
  @Field(() => ID)
  @IsGlobalId("Trigger")
  id: string;
}
