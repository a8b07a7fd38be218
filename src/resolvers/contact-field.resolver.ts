import { Arg, Ctx, Directive, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { type ContactField, Role } from "../entities";
import { uuidOf } from "../schema/global-id";
import { MaxItems } from "../schema/list-bounds";
import {
  CreateContactFieldInput,
  DeleteContactFieldInput,
  SetContactFieldsInput,
  UpdateContactFieldInput,
  UpdateNotepadInput,
} from "../schema/inputs/contact-field.inputs";
import { DeletePayload } from "../schema/types/common.types";
import { ContactFieldObject, ContactFieldPayload, ContactFieldValueObject, ContactNoteObject } from "../schema/types/contact-field.types";
import { UserObject } from "../schema/types/identity.types";
import { ContactObject, ContactPayload } from "../schema/types/contact.types";
import type { VisibleField } from "../auth/visibility";
import { MAX_FIELDS } from "../services/contacts/contact-field.service";
import { NOTEPAD_HISTORY } from "../services/contacts/notepad.service";
import type { Result } from "../services/user-error";
import { deletedPayload, payloadOf } from "./payloads";

function fieldPayload(result: Result<ContactField>): ContactFieldPayload {
  return payloadOf("contactField", result, (value) => ContactFieldObject.from(value));
}

function valueOf(visible: VisibleField, values: Map<string, string>): ContactFieldValueObject {
  return { field: ContactFieldObject.from(visible.field), value: values.get(visible.field.id) ?? null, editable: visible.editable };
}

async function contactPayload(ctx: AuthedContext, contactId: string, result: Result<unknown>): Promise<ContactPayload> {
  if (!result.ok) return { contact: null, userErrors: result.errors };
  const contact = await ctx.loaders.contact.load(contactId);
  return { contact: contact && ContactObject.from(contact), userErrors: [] };
}

@Resolver(() => ContactFieldObject)
export class ContactFieldResolver {
  @Requires()
  @MaxItems(MAX_FIELDS)
  @Query(() => [ContactFieldObject], { description: "The contact fields you may see: featured first by priority, then by name." })
  async contactFields(@Ctx() ctx: AuthedContext): Promise<ContactFieldObject[]> {
    return (await ctx.services.fields.visible(ctx)).map((v) => ContactFieldObject.from(v.field));
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => ContactFieldPayload, { description: "Defines a contact field; at most 250 per workspace." })
  async createContactField(
    @Arg("input", () => CreateContactFieldInput) input: CreateContactFieldInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<ContactFieldPayload> {
    return fieldPayload(await ctx.services.fields.create(ctx, input));
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => ContactFieldPayload, {
    description: "Renames a field or changes featured, priority or agent access (effective on the next request).",
  })
  async updateContactField(
    @Arg("input", () => UpdateContactFieldInput) input: UpdateContactFieldInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<ContactFieldPayload> {
    return fieldPayload(
      await ctx.services.fields.update(ctx, uuidOf(input.id, "ContactField", "id"), { ...input, name: input.name ?? undefined }),
    );
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => DeletePayload, { description: "Deletes a field and every contact's value of it." })
  async deleteContactField(
    @Arg("input", () => DeleteContactFieldInput) input: DeleteContactFieldInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<DeletePayload> {
    const result = await ctx.services.fields.delete(ctx, uuidOf(input.id, "ContactField", "id"));
    return deletedPayload("ContactField", result);
  }

  @Requires()
  @Mutation(() => ContactPayload, {
    description: "Sets contact field values by key, all or nothing; null clears. Agents may set EDIT fields only.",
  })
  async setContactFields(
    @Arg("input", () => SetContactFieldsInput) input: SetContactFieldsInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<ContactPayload> {
    const contactId = uuidOf(input.contactId, "Contact", "contactId");
    return contactPayload(ctx, contactId, await ctx.services.fields.setValues(ctx, contactId, input.values));
  }

  @Requires()
  @Mutation(() => ContactPayload, {
    description: "Saves the contact's shared notepad; the last five versions are kept with author and time.",
  })
  async updateNotepad(
    @Arg("input", () => UpdateNotepadInput) input: UpdateNotepadInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<ContactPayload> {
    const contactId = uuidOf(input.contactId, "Contact", "contactId");
    return contactPayload(ctx, contactId, await ctx.services.notepad.update(ctx, contactId, input.text));
  }
}

@Resolver(() => ContactObject)
export class ContactFieldsOfContactResolver {
  @Directive("@contactFieldAccess")
  @MaxItems(MAX_FIELDS)
  @FieldResolver(() => [ContactFieldValueObject], {
    description:
      "Values of the contact fields you may see, unset ones with a null value: featured first (higher priority first), then the rest by name.",
  })
  async fields(
    @Root() contact: ContactObject,
    @Ctx() ctx: AuthedContext,
    @Arg("featuredOnly", () => Boolean, { nullable: true, defaultValue: false }) featuredOnly: boolean | null,
  ): Promise<ContactFieldValueObject[]> {
    const [visible, values] = await Promise.all([ctx.services.fields.visible(ctx), ctx.loaders.fieldValues.load(contact.uuid)]);
    return visible.filter((v) => !featuredOnly || v.field.featured).map((v) => valueOf(v, values));
  }

  @Directive("@contactFieldAccess")
  @FieldResolver(() => ContactFieldValueObject, {
    nullable: true,
    description: "One field's value by key; null when there is no such field for you.",
  })
  async field(
    @Root() contact: ContactObject,
    @Ctx() ctx: AuthedContext,
    @Arg("key", () => String) key: string,
  ): Promise<ContactFieldValueObject | null> {
    const visible = (await ctx.services.fields.visible(ctx)).find((v) => v.field.key === key);
    return visible ? valueOf(visible, await ctx.loaders.fieldValues.load(contact.uuid)) : null;
  }

  @FieldResolver(() => ContactNoteObject, { nullable: true, description: "The notepad's latest version; null if never written." })
  async notepad(@Root() contact: ContactObject, @Ctx() ctx: AuthedContext): Promise<ContactNoteObject | null> {
    const [latest] = await ctx.loaders.notepad.load(contact.uuid);
    return latest ? ContactNoteObject.from(latest) : null;
  }

  @MaxItems(NOTEPAD_HISTORY)
  @FieldResolver(() => [ContactNoteObject], { description: "The notepad's versions, newest first." })
  async notepadHistory(@Root() contact: ContactObject, @Ctx() ctx: AuthedContext): Promise<ContactNoteObject[]> {
    return (await ctx.loaders.notepad.load(contact.uuid)).map(ContactNoteObject.from);
  }
}

@Resolver(() => ContactNoteObject)
export class ContactNoteResolver {
  @FieldResolver(() => UserObject)
  async author(@Root() note: ContactNoteObject, @Ctx() ctx: AuthedContext): Promise<UserObject> {
    const user = await ctx.loaders.user.load(note.row.authorId);
    if (!user) throw new Error("a notepad author is missing");
    return UserObject.from(user);
  }
}
