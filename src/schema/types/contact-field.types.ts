import { Field, Int, ObjectType } from "type-graphql";
import type { ContactField, ContactGroup, ContactNote } from "../../entities";
import { ContactFieldType, FieldAccess } from "../enums";
import { toGlobalId } from "../global-id";
import { MAX_USER_ERRORS, UserErrorObject } from "./common.types";
import { MaxItems } from "../list-bounds";
import { Node } from "./node";
import { UserObject } from "./identity.types";

@ObjectType("ContactField", { implements: Node })
export class ContactFieldObject extends Node {
  @Field({ description: "Fixed at creation: the lower snake case of the first name." })
  key: string;

  @Field()
  name: string;

  @Field(() => ContactFieldType)
  type: ContactFieldType;

  @Field()
  featured: boolean;

  @Field(() => Int, { description: "Featured fields are listed by priority, highest first." })
  priority: number;

  @Field(() => FieldAccess)
  agentAccess: FieldAccess;

  static from(f: ContactField): ContactFieldObject {
    return Object.assign(new ContactFieldObject(), {
      id: toGlobalId("ContactField", f.id),
      key: f.key,
      name: f.name,
      type: f.type,
      featured: f.featured,
      priority: f.priority,
      agentAccess: f.agentAccess,
    });
  }
}

@ObjectType("ContactFieldValue")
export class ContactFieldValueObject {
  @Field(() => ContactFieldObject)
  field: ContactFieldObject;

  @Field(() => String, { nullable: true, description: "Null when unset." })
  value: string | null;

  @Field({ description: "Whether you may change it with setContactFields." })
  editable: boolean;
}

@ObjectType("ContactNote", { description: "A version of a contact's notepad." })
export class ContactNoteObject {
  row: ContactNote;

  @Field()
  text: string;

  @Field()
  createdAt: Date;

  static from(n: ContactNote): ContactNoteObject {
    return Object.assign(new ContactNoteObject(), { row: n, text: n.text, createdAt: n.createdAt });
  }
}

@ObjectType("ContactGroup", { implements: Node })
export class ContactGroupObject extends Node {
  uuid: string;

  @Field({ description: 'The system group "Open Tickets" holds exactly the contacts with an open ticket.' })
  name: string;

  @Field()
  isSystem: boolean;

  static from(g: ContactGroup): ContactGroupObject {
    return Object.assign(new ContactGroupObject(), {
      id: toGlobalId("ContactGroup", g.id),
      uuid: g.id,
      name: g.name,
      isSystem: g.isSystem,
    });
  }
}

@ObjectType("ContactFieldPayload")
export class ContactFieldPayload {
  @Field(() => ContactFieldObject, { nullable: true })
  contactField: ContactFieldObject | null;

  @MaxItems(MAX_USER_ERRORS)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}

export { UserObject };
