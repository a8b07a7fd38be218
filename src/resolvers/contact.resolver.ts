import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { Role } from "../entities";
import { BadInputError } from "../errors";
import { pageInfo, pageSize, pageWindow, trimPage } from "../schema/connection";
import { encodeCursor, keysetCursor } from "../services/cursors";
import { uuidOf } from "../schema/global-id";
import { CreateContactInput, UpdateContactInput } from "../schema/inputs/ticket.inputs";
import { ContactConnection, ContactObject, ContactPayload } from "../schema/types/contact.types";
import { MessageConnection, MessageObject } from "../schema/types/message.types";
import { TicketConnection, TicketObject } from "../schema/types/ticket.types";
import { see } from "../auth/visibility";
import type { Result } from "../services/user-error";
import { type ContactWithUrns } from "../db/rows";
import { payloadOf } from "./payloads";

function contactPayload(result: Result<ContactWithUrns>): ContactPayload {
  return payloadOf("contact", result, (value) => ContactObject.from(value));
}

@Resolver(() => ContactObject)
export class ContactResolver {
  @Requires()
  @Query(() => ContactConnection, {
    description: "Contacts, newest first; search (3 to 100 characters) matches name, URN or the value of a field you may see.",
  })
  async contacts(
    @Ctx() ctx: AuthedContext,
    @Arg("search", () => String, { nullable: true }) search?: string | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: 25 }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<ContactConnection> {
    const size = pageSize(first, "first", 25);
    const term = search?.trim();
    if (term !== undefined && (term.length < 3 || term.length > 100))
      throw new BadInputError("search", "search must be 3 to 100 characters.");
    const cursor = after ? keysetCursor(after, "after") : undefined;
    const searchable = term === undefined ? [] : await ctx.services.fields.visible(ctx);
    const { contacts, totalCount } = await ctx.services.contacts.page(ctx, {
      search: term,
      searchFieldIds: searchable.map((v) => v.field.id),
      first: size,
      after: cursor && { createdAt: cursor.us, id: cursor.id },
    });
    const page = contacts.slice(0, size);
    const edges = page.map((c) => ({ node: ContactObject.from(c), cursor: encodeCursor([c.sortKey, c.id]) }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: pageInfo({
        hasNextPage: contacts.length > size,
        hasPreviousPage: cursor !== undefined,
        cursors: edges.map((e) => e.cursor),
      }),
      totalCount,
    };
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => ContactPayload, { description: "Creates a contact; each URN is normalised and must not belong to another contact." })
  async createContact(
    @Arg("input", () => CreateContactInput) input: CreateContactInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<ContactPayload> {
    return contactPayload(await ctx.services.contacts.create(ctx, input));
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => ContactPayload, { description: "Updates name and language: omitted is unchanged, explicit null clears." })
  async updateContact(
    @Arg("input", () => UpdateContactInput) input: UpdateContactInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<ContactPayload> {
    return contactPayload(await ctx.services.contacts.update(ctx, uuidOf(input.id, "Contact", "id"), input));
  }

  @FieldResolver(() => TicketObject, { nullable: true, description: "The contact's open ticket, if you may see its topic." })
  async openTicket(@Root() contact: ContactObject, @Ctx() ctx: AuthedContext): Promise<TicketObject | null> {
    const ticket = see.ticket(ctx.actor, await ctx.loaders.openTicketOfContact.load(contact.uuid));
    return ticket && TicketObject.from(ticket);
  }

  @FieldResolver(() => TicketConnection, { description: "The contact's tickets of the topics you may see, newest first." })
  async tickets(
    @Root() contact: ContactObject,
    @Ctx() ctx: AuthedContext,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<TicketConnection> {
    const size = pageSize(first, "first", 25);
    const cursor = after ? keysetCursor(after, "after") : undefined;
    const rows = await ctx.services.inbox.contactTickets(ctx, contact.uuid, {
      limit: size + 1,
      after: cursor && { openedUs: cursor.us, id: cursor.id },
    });
    const edges = rows.slice(0, size).flatMap((t) => {
      const seen = see.ticket(ctx.actor, t);
      return seen ? [{ node: TicketObject.from(seen), cursor: encodeCursor([t.sortKey, t.id]) }] : [];
    });
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: pageInfo({ hasNextPage: rows.length > size, hasPreviousPage: cursor !== undefined, cursors: edges.map((e) => e.cursor) }),
      totalCount: null,
      eventCursor: null,
    };
  }

  @FieldResolver(() => MessageConnection, { description: "Messages with the contact, oldest first; last/before for the newest page." })
  async messages(
    @Root() contact: ContactObject,
    @Ctx() ctx: AuthedContext,
    @Arg("first", () => Int, { nullable: true }) first?: number | null,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
    @Arg("last", () => Int, { nullable: true }) last?: number | null,
    @Arg("before", () => String, { nullable: true }) before?: string | null,
  ): Promise<MessageConnection> {
    const window = pageWindow(first, last, before);
    const afterKey = after ? keysetCursor(after, "after") : undefined;
    const beforeKey = before ? keysetCursor(before, "before") : undefined;
    const rows = await ctx.services.messages.contactPage(ctx, contact.uuid, {
      limit: window.size + 1,
      after: afterKey && { at: afterKey.us, id: afterKey.id },
      before: beforeKey && { at: beforeKey.us, id: beforeKey.id },
      fromEnd: window.fromEnd,
    });
    const { page, hasNextPage, hasPreviousPage } = trimPage(rows, window, {
      after: afterKey !== undefined,
      before: beforeKey !== undefined,
    });
    const edges = page.flatMap((m) => {
      const seen = see.messageInHistory(ctx.actor, m, m);
      return seen ? [{ node: MessageObject.from(seen), cursor: encodeCursor([m.sortKey, m.id]) }] : [];
    });
    return {
      edges,
      nodes: edges.map((e) => e.node),
      pageInfo: pageInfo({ hasNextPage, hasPreviousPage, cursors: edges.map((e) => e.cursor) }),
    };
  }
}
