import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { Requires } from "../auth/requires";
import type { AuthedContext } from "../context";
import { Role, type Trigger, TriggerType } from "../entities";
import { uuidOf } from "../schema/global-id";
import { MaxItems } from "../schema/list-bounds";
import { CreateTriggerInput, DeleteTriggerInput } from "../schema/inputs/trigger.inputs";
import { DeletePayload } from "../schema/types/common.types";
import { FlowObject } from "../schema/types/flow.types";
import { TriggerObject, TriggerPayload } from "../schema/types/trigger.types";
import type { Result } from "../services/user-error";
import { requireExactlyOne } from "../schema/validators";
import { deletedPayload, payloadOf } from "./payloads";

function triggerPayload(result: Result<Trigger>): TriggerPayload {
  return payloadOf("trigger", result, (value) => TriggerObject.from(value));
}

/** A trigger's or flow start's flow: flows are registered records, never deleted. */
export async function loadFlow(ctx: AuthedContext, id: string): Promise<FlowObject> {
  const flow = await ctx.loaders.flow.load(id);
  if (!flow) throw new Error("a registered flow is missing");
  return FlowObject.from(flow);
}

@Resolver(() => TriggerObject)
export class TriggerResolver {
  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  // One per type and workspace: the unique index triggers_type_key.
  @MaxItems(Object.keys(TriggerType).length)
  @Query(() => [TriggerObject], { description: "The workspace's triggers (at most one per type)." })
  async triggers(@Ctx() ctx: AuthedContext): Promise<TriggerObject[]> {
    return (await ctx.services.triggers.list(ctx)).map(TriggerObject.from);
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => TriggerPayload, {
    description:
      "Starts a registered flow (flowId or flowExternalId) for the contact of every ticket closed from now on. " +
      "One trigger per type: a second is ALREADY_EXISTS.",
  })
  async createTrigger(
    @Arg("input", () => CreateTriggerInput) input: CreateTriggerInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<TriggerPayload> {
    requireExactlyOne({ flowId: input.flowId, flowExternalId: input.flowExternalId });
    const flow = input.flowId ? { flowId: uuidOf(input.flowId, "Flow", "flowId") } : { flowExternalId: input.flowExternalId as string };
    return triggerPayload(await ctx.services.triggers.create(ctx, input.type, flow));
  }

  @Requires(Role.ADMINISTRATOR, Role.EDITOR)
  @Mutation(() => DeletePayload, { description: "Deletes a trigger; the flow starts it asked for stay, with a null trigger." })
  async deleteTrigger(
    @Arg("input", () => DeleteTriggerInput) input: DeleteTriggerInput,
    @Ctx() ctx: AuthedContext,
  ): Promise<DeletePayload> {
    const result = await ctx.services.triggers.delete(ctx, uuidOf(input.id, "Trigger", "id"));
    return deletedPayload("Trigger", result);
  }

  @FieldResolver(() => FlowObject)
  flow(@Root() trigger: TriggerObject, @Ctx() ctx: AuthedContext): Promise<FlowObject> {
    return loadFlow(ctx, trigger.row.flowId);
  }
}
