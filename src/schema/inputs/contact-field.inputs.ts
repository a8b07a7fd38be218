import { ArrayMaxSize, IsInt, IsOptional, Matches, Max, MaxLength, Min, ValidateNested } from "class-validator";
import { Field, ID, InputType, Int } from "type-graphql";
import { ContactFieldType, FieldAccess } from "../enums";
import { IsGlobalId } from "../global-id";
import { TrimmedLength } from "../validators";

/** The values one setContactFields sets: as many as a workspace has fields. Each may be a userError. */
export const MAX_FIELD_VALUES = 250;

const FIELD_NAME = /^\s*\p{L}[\p{L}\p{N} -]*\s*$/u;
const FIELD_NAME_MESSAGE = "name must start with a letter and hold only letters, digits, spaces and hyphens";

@InputType("CreateContactFieldInput")
export class CreateContactFieldInput {
  @Field({ description: "1 to 36 letters, digits, spaces or hyphens; the key is its lower snake case." })
  @TrimmedLength(1, 36)
  @Matches(FIELD_NAME, { message: FIELD_NAME_MESSAGE })
  name: string;

  @Field(() => ContactFieldType)
  type: ContactFieldType;

  @Field(() => Boolean, { nullable: true, description: "Default false." })
  featured?: boolean | null;

  @Field(() => FieldAccess, { nullable: true, description: "Default VIEW." })
  agentAccess?: FieldAccess | null;

  @Field(() => Int, { nullable: true, description: "Default 0." })
  @IsOptional()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number | null;
}

@InputType("UpdateContactFieldInput", { description: "Omitted fields are unchanged; the key and type never change." })
export class UpdateContactFieldInput {
  @Field(() => ID)
  @IsGlobalId("ContactField")
  id: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @TrimmedLength(1, 36)
  @Matches(FIELD_NAME, { message: FIELD_NAME_MESSAGE })
  name?: string | null;

  @Field(() => Boolean, { nullable: true })
  featured?: boolean | null;

  @Field(() => FieldAccess, { nullable: true })
  agentAccess?: FieldAccess | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number | null;
}

@InputType("DeleteContactFieldInput")
export class DeleteContactFieldInput {
  @Field(() => ID)
  @IsGlobalId("ContactField")
  id: string;
}

@InputType("FieldValueInput")
export class FieldValueInput {
  @Field()
  @MaxLength(64)
  key: string;

  @Field(() => String, { nullable: true, description: "Null (or blank) clears." })
  @IsOptional()
  @MaxLength(10_000)
  value?: string | null;
}

@InputType("SetContactFieldsInput", { description: "All or nothing: one invalid value changes nothing." })
export class SetContactFieldsInput {
  @Field(() => ID)
  @IsGlobalId("Contact")
  contactId: string;

  @Field(() => [FieldValueInput])
  @ArrayMaxSize(MAX_FIELD_VALUES)
  @ValidateNested({ each: true })
  values: FieldValueInput[];
}

@InputType("UpdateNotepadInput")
export class UpdateNotepadInput {
  @Field(() => ID)
  @IsGlobalId("Contact")
  contactId: string;

  @Field({ description: "The whole new text, at most 10,000 characters." })
  @MaxLength(10_000)
  text: string;
}
