import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { Role, type Shortcut } from "../entities";
import { BadInputError } from "../errors";
import { uuidOf } from "../schema/global-id";
import { MaxItems } from "../schema/list-bounds";
import { CreateShortcutInput, DeleteShortcutInput, UpdateShortcutInput } from "../schema/inputs/shortcut.inputs";
import { DeletePayload } from "../schema/types/common.types";
import { ShortcutPayload, ShortcutObject } from "../schema/types/shortcut.types";
import { MAX_SHORTCUTS, SHORTCUT_SEARCH_MAX, SHORTCUT_SEARCH_MIN } from "../services/team/shortcut.service";
import type { Result } from "../services/user-error";
import { deletedPayload, payloadOf } from "./payloads";

function shortcutPayload(result: Result<Shortcut>): ShortcutPayload {
  return payloadOf("shortcut", result, (value) => ShortcutObject.from(value));
}

@Resolver(() => ShortcutObject)
export class ShortcutResolver {
  @Requires()
  @MaxItems(MAX_SHORTCUTS)
  @Query(() => [ShortcutObject], {
    description: `Pre-defined responses, by name. search (${SHORTCUT_SEARCH_MIN} to ${SHORTCUT_SEARCH_MAX} characters) keeps those whose name or text holds it, ignoring case.`,
  })
  async shortcuts(
    @Ctx() ctx: AuthedContext,
    @Arg("search", () => String, { nullable: true }) search?: string | null,
  ): Promise<ShortcutObject[]> {
    const term = search?.trim();
    if (term !== undefined && (term.length < SHORTCUT_SEARCH_MIN || term.length > SHORTCUT_SEARCH_MAX)) {
      throw new BadInputError("search", `search must be ${SHORTCUT_SEARCH_MIN} to ${SHORTCUT_SEARCH_MAX} characters.`);
    }
    return (await ctx.services.shortcuts.list(ctx, term)).map(ShortcutObject.from);
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => ShortcutPayload, {
    description: "Names are 1 to 64 characters, unique ignoring case; texts 1 to 10,000; at most 1,000 shortcuts per workspace.",
  })
  async createShortcut(
    @Arg("input", () => CreateShortcutInput) input: CreateShortcutInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<ShortcutPayload> {
    return shortcutPayload(await ctx.services.shortcuts.create(ctx, input.name, input.text));
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => ShortcutPayload, { description: "Changes a shortcut's name and/or text; an omitted field is unchanged." })
  async updateShortcut(
    @Arg("input", () => UpdateShortcutInput) input: UpdateShortcutInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<ShortcutPayload> {
    const id = uuidOf(input.id, "Shortcut", "id");
    return shortcutPayload(await ctx.services.shortcuts.update(ctx, id, { name: input.name ?? undefined, text: input.text ?? undefined }));
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => DeletePayload)
  async deleteShortcut(
    @Arg("input", () => DeleteShortcutInput) input: DeleteShortcutInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<DeletePayload> {
    const result = await ctx.services.shortcuts.delete(ctx, uuidOf(input.id, "Shortcut", "id"));
    return deletedPayload("Shortcut", result);
  }
}
