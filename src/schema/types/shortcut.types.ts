import { Field, ObjectType } from "type-graphql";
import type { Shortcut } from "../../entities";
import { toGlobalId } from "../global-id";
import { MAX_USER_ERRORS, UserErrorObject } from "./common.types";
import { MaxItems } from "../list-bounds";
import { Node } from "./node";

@ObjectType("Shortcut", { implements: Node, description: "A pre-defined response agents insert into replies." })
export class ShortcutObject extends Node {
  @Field({ description: "1 to 64 characters, unique in the workspace ignoring case." })
  name: string;

  @Field({ description: "1 to 10,000 characters." })
  text: string;

  static from(s: Shortcut): ShortcutObject {
    return Object.assign(new ShortcutObject(), { id: toGlobalId("Shortcut", s.id), name: s.name, text: s.text });
  }
}

@ObjectType("ShortcutPayload")
export class ShortcutPayload {
  @Field(() => ShortcutObject, { nullable: true })
  shortcut: ShortcutObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
