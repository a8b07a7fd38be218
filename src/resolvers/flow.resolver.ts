import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { Role } from "../entities";
import { RegisterFlowInput } from "../schema/inputs/ticket.inputs";
import { MaxItems } from "../schema/list-bounds";
import { MAX_FLOWS } from "../services/integrations/flow.service";
import { FlowObject, FlowPayload } from "../schema/types/flow.types";
import { payloadOf } from "./payloads";

@Resolver(() => FlowObject)
export class FlowResolver {
  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @MaxItems(MAX_FLOWS)
  @Query(() => [FlowObject], { description: "The registered flows, by name." })
  async flows(@Ctx() ctx: AuthedContext): Promise<FlowObject[]> {
    return (await ctx.services.flows.list(ctx)).map(FlowObject.from);
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => FlowPayload, {
    description: `Registers a flow of the flow engine; an externalId already registered returns that flow. At most ${MAX_FLOWS} flows.`,
  })
  async registerFlow(@Arg("input", () => RegisterFlowInput) input: RegisterFlowInput, @Ctx() ctx: AuthedContext): Promise<FlowPayload> {
    const result = await ctx.services.flows.register(ctx, input.name.trim(), input.externalId);
    return payloadOf("flow", result, (value) => FlowObject.from(value));
  }
}
