import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { uuidOf } from "../schema/global-id";
import { MaxItems } from "../schema/list-bounds";
import { MAX_API_TOKENS } from "../services/identity/token.service";
import { CreateApiTokenInput, RevokeApiTokenInput } from "../schema/inputs/identity.inputs";
import { DeletePayload } from "../schema/types/common.types";
import { CreateApiTokenPayload } from "../schema/types/identity.payloads";
import { ApiTokenObject } from "../schema/types/identity.types";
import { deletedPayload } from "./payloads";

@Resolver(() => ApiTokenObject)
export class ApiTokenResolver {
  @Requires()
  @MaxItems(MAX_API_TOKENS)
  @Query(() => [ApiTokenObject], { description: "Your own API tokens in this workspace that still work, newest first." })
  async apiTokens(@Ctx() ctx: AuthedContext): Promise<ApiTokenObject[]> {
    return (await ctx.services.tokens.list(ctx)).map((t) => ApiTokenObject.from(t.token, t.role));
  }

  @Requires()
  @Mutation(() => CreateApiTokenPayload, {
    description: "A token for an integration, acting as you in this workspace until revoked. Shown once.",
  })
  async createApiToken(
    @Arg("input", () => CreateApiTokenInput) input: CreateApiTokenInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<CreateApiTokenPayload> {
    const result = await ctx.services.tokens.create(ctx, input.name);
    if (!result.ok) return { token: null, apiToken: null, userErrors: result.errors };
    const { token, apiToken } = result.value;
    return { token, apiToken: ApiTokenObject.from(apiToken.token, apiToken.role), userErrors: [] };
  }

  @Requires()
  @Mutation(() => DeletePayload, { description: "Revokes one of your API tokens; it stops working at once." })
  async revokeApiToken(
    @Arg("input", () => RevokeApiTokenInput) input: RevokeApiTokenInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<DeletePayload> {
    const result = await ctx.services.tokens.revoke(ctx, uuidOf(input.id, "ApiToken", "id"));
    return deletedPayload("ApiToken", result);
  }
}
