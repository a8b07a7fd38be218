import { Field, ObjectType } from "type-graphql";
import type { InvitationPreview, InvitationRow } from "../../services/team/invitation.service";
import { Role } from "../enums";
import { toGlobalId } from "../global-id";
import { MAX_USER_ERRORS, UserErrorObject } from "./common.types";
import { MaxItems } from "../list-bounds";
import { Node } from "./node";

@ObjectType("Invitation", {
  implements: Node,
  description: "A pending invitation to join the workspace: not yet accepted, revoked or expired.",
})
export class InvitationObject extends Node {
  /** For the team and invitedBy fields. */
  teamId: string | null;
  invitedById: string;

  @Field({ description: "Lower-cased." })
  email: string;

  @Field(() => Role, { description: "The role the invitee gets on accepting." })
  role: Role;

  @Field({ description: "The link stops working then: 30 days after the invitation." })
  expiresAt: Date;

  @Field()
  createdAt: Date;

  static from(i: InvitationRow): InvitationObject {
    return Object.assign(new InvitationObject(), {
      id: toGlobalId("Invitation", i.id),
      teamId: i.teamId,
      invitedById: i.invitedById,
      email: i.email,
      role: i.role,
      expiresAt: i.expiresAt,
      createdAt: i.createdAt,
    });
  }
}

@ObjectType("InvitationPayload")
export class InvitationPayload {
  @Field(() => InvitationObject, { nullable: true })
  invitation: InvitationObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}

@ObjectType("InvitationPreview", {
  description:
    "What an invitation link shows before it is accepted, to whoever holds the link: the same facts as the email that carried it, " +
    "and whether the invited email has an account.",
})
export class InvitationPreviewObject {
  @Field({ description: "The workspace the invitation joins." })
  workspaceName: string;

  @Field({ description: "The name of the administrator who sent the invitation." })
  inviterName: string;

  @Field(() => Role, { description: "The role the invitee gets on accepting." })
  role: Role;

  @Field(() => String, { nullable: true, description: "Agents only: the name of the team they join." })
  teamName: string | null;

  @Field({ description: "The invited email: whoever accepts joins as this address." })
  email: string;

  @Field({
    description:
      "True when the invited email already has an account: acceptInvitation then takes its password (or a login as it), " +
      "and no name. False: acceptInvitation takes a name and a new password.",
  })
  hasAccount: boolean;

  @Field({ description: "The link stops working then." })
  expiresAt: Date;

  static from(p: InvitationPreview): InvitationPreviewObject {
    return Object.assign(new InvitationPreviewObject(), p);
  }
}
