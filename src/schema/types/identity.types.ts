import { Field, ObjectType } from "type-graphql";
import type { ApiToken, Membership, User, Workspace } from "../../entities";
import { Role } from "../enums";
import { toGlobalId } from "../global-id";
import { Node } from "./node";
import { MaxItems } from "../list-bounds";
import { MAX_USER_ERRORS, UserErrorObject } from "./common.types";

@ObjectType("Workspace", { implements: Node })
export class WorkspaceObject extends Node {
  @Field()
  name: string;

  @Field()
  createdAt: Date;

  @Field({ description: 'Its time zone, an IANA name such as "Africa/Kigali" (default "UTC"): the days of its statistics.' })
  timezone: string;

  static from(w: Workspace): WorkspaceObject {
    return Object.assign(new WorkspaceObject(), {
      id: toGlobalId("Workspace", w.id),
      name: w.name,
      createdAt: w.createdAt,
      timezone: w.timezone,
    });
  }
}

@ObjectType("WorkspacePayload")
export class WorkspacePayload {
  @Field(() => WorkspaceObject, { nullable: true })
  workspace: WorkspaceObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}

@ObjectType("User", { implements: Node })
export class UserObject extends Node {
  @Field()
  email: string;

  @Field()
  name: string;

  static from(u: User): UserObject {
    return Object.assign(new UserObject(), { id: toGlobalId("User", u.id), email: u.email, name: u.name });
  }
}

@ObjectType("Member", { implements: Node, description: "A user's membership of the current workspace." })
export class MemberObject extends Node {
  /** The user's uuid, for the user field. */
  userId: string;
  teamId: string | null;

  @Field(() => Role)
  role: Role;

  @Field()
  createdAt: Date;

  @Field({ description: "While an agent: may assign tickets to others and unassign others' (default true)." })
  canAssign: boolean;

  @Field({ description: "While an agent: may reply in tickets assigned to someone else (default true)." })
  canReplyToOthers: boolean;

  static from(m: Membership): MemberObject {
    return Object.assign(new MemberObject(), {
      id: toGlobalId("Member", m.id),
      userId: m.userId,
      teamId: m.teamId ?? null,
      role: m.role,
      createdAt: m.createdAt,
      canAssign: m.canAssign,
      canReplyToOthers: m.canReplyToOthers,
    });
  }
}

@ObjectType("Viewer", { description: "Who is asking: the user, in the workspace their token is bound to." })
export class ViewerObject {
  userId: string;
  workspaceId: string;
  teamId: string | null;

  @Field(() => Role)
  role: Role;
}

@ObjectType("ApiToken", { implements: Node })
export class ApiTokenObject extends Node {
  @Field()
  name: string;

  @Field(() => Role, { description: "The role the token acts with: its member's current role." })
  role: Role;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt: Date | null;

  static from(t: ApiToken, role: Role): ApiTokenObject {
    return Object.assign(new ApiTokenObject(), {
      id: toGlobalId("ApiToken", t.id),
      name: t.name ?? "",
      role,
      createdAt: t.createdAt,
      lastUsedAt: t.lastUsedAt,
    });
  }
}
