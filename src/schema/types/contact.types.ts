import { Field, Int, ObjectType } from "type-graphql";
import { toGlobalId } from "../global-id";
import { MAX_FIELD_VALUES } from "../inputs/contact-field.inputs";
import { MaxItems } from "../list-bounds";
import { PageInfo, UserErrorObject } from "./common.types";
import { Node } from "./node";
import { type ContactWithUrns } from "../../db/rows";

@ObjectType("Contact", { implements: Node })
export class ContactObject extends Node {
  uuid: string;

  @Field(() => String, { nullable: true })
  name: string | null;

  @Field(() => [String], { description: 'e.g. "tel:+250788123123", "whatsapp:250788123123"' })
  urns: string[];

  @Field(() => String, { nullable: true })
  language: string | null;

  @Field()
  createdAt: Date;

  static from(c: ContactWithUrns): ContactObject {
    return Object.assign(new ContactObject(), {
      id: toGlobalId("Contact", c.id),
      uuid: c.id,
      name: c.name,
      urns: c.urns,
      language: c.language,
      createdAt: c.createdAt,
    });
  }
}

@ObjectType("ContactEdge")
export class ContactEdge {
  @Field(() => ContactObject)
  node: ContactObject;

  @Field()
  cursor: string;
}

@ObjectType("ContactConnection")
export class ContactConnection {
  @Field(() => [ContactEdge])
  edges: ContactEdge[];

  @Field(() => [ContactObject])
  nodes: ContactObject[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { nullable: true })
  totalCount: number | null;
}

@ObjectType("ContactPayload")
export class ContactPayload {
  @Field(() => ContactObject, { nullable: true })
  contact: ContactObject | null;

  @MaxItems(MAX_FIELD_VALUES)
  @Field(() => [UserErrorObject])
  userErrors: UserErrorObject[];
}
