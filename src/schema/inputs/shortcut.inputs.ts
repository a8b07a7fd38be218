import { IsDefined, Matches, ValidateIf } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { IsGlobalId } from "../global-id";
import { SHORTCUT_NAME_MAX, SHORTCUT_TEXT_MAX } from "../../services/team/shortcut.service";
import { TrimmedLength } from "../validators";

/** A shortcut's name is one line: no control characters (newlines, tabs). */
const ONE_LINE = /^[^\p{Cc}]*$/u;
const ONE_LINE_MESSAGE = "name must be one line without control characters";

@InputType("CreateShortcutInput")
export class CreateShortcutInput {
  @Field({ description: "1 to 64 characters once trimmed, one line, unique in the workspace ignoring case." })
  @TrimmedLength(1, SHORTCUT_NAME_MAX)
  @Matches(ONE_LINE, { message: ONE_LINE_MESSAGE })
  name: string;

  @Field({ description: "1 to 10,000 characters once trimmed." })
  @TrimmedLength(1, SHORTCUT_TEXT_MAX)
  text: string;
}

@InputType("UpdateShortcutInput", { description: "An omitted field is unchanged; name and text cannot be null." })
export class UpdateShortcutInput {
  @Field(() => ID)
  @IsGlobalId("Shortcut")
  id: string;

  @Field(() => String, { nullable: true })
  @ValidateIf((_input: unknown, value: unknown) => value !== undefined)
  @IsDefined({ message: "name cannot be null: omit it to keep the name" })
  @TrimmedLength(1, SHORTCUT_NAME_MAX)
  @Matches(ONE_LINE, { message: ONE_LINE_MESSAGE })
  name?: string | null;

  @Field(() => String, { nullable: true })
  @ValidateIf((_input: unknown, value: unknown) => value !== undefined)
  @IsDefined({ message: "text cannot be null: omit it to keep the text" })
  @TrimmedLength(1, SHORTCUT_TEXT_MAX)
  text?: string | null;
}

@InputType("DeleteShortcutInput")
export class DeleteShortcutInput {
  @Field(() => ID)
  @IsGlobalId("Shortcut")
  id: string;
}
