import { execute, type GraphQLSchema, parse } from "graphql";
import type { Actor, RequestContext } from "../context";
import { inWorkspaceScope } from "../db/sql-scope";
import { Role, TokenKind } from "../entities";
import type { Renderer } from "../services/webhooks/dispatcher";
import type { FeedItem } from "../services/webhooks/webhook-feed";

/**
 * What a webhook delivery's `data` holds: the event (or flow start) as the API gives it to an
 * administrator, read through the schema itself (nodes(ids:)), so that its ids, enums and nested
 * objects are the API's and no other rule applies. Contact fields are never selected.
 */
export const WEBHOOK_DATA_DOCUMENT = `query WebhookData($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    ... on TicketEvent {
      id cursor type ticketVersion createdAt note
      actor { id name email }
      assignee { id name email }
      previousAssignee { id name email }
      topic { id name }
      previousTopic { id name }
      message { id direction status text urn externalId createdAt attachments { contentType url } author { id name email } }
      ticket { ...WebhookTicket }
    }
    ... on FlowStart {
      id cursor createdAt
      flow { id name externalId }
      trigger { id type }
      contact { id name urns language createdAt }
      ticket { ...WebhookTicket }
    }
  }
}
fragment WebhookTicket on Ticket {
  id status version openedAt repliedAt closedAt lastActivityAt
  topic { id name }
  assignee { id name email }
  contact { id name urns language createdAt }
}`;

const NOBODY = "00000000-0000-0000-0000-000000000000";

/** The viewer deliveries are read as: an administrator of the workspace, acting for no member. */
function deliveryReader(workspaceId: string): Actor {
  return {
    userId: NOBODY,
    membershipId: NOBODY,
    workspaceId,
    role: Role.ADMINISTRATOR,
    tokenId: NOBODY,
    tokenKind: TokenKind.API,
    teamId: null,
    topicIds: null,
    canAssign: true,
    canReplyToOthers: true,
  };
}

/**
 * Renders a batch of items in one execution (its loaders read the users, topics, tickets and
 * contacts of the batch together). An item the API cannot show is delivered with data null,
 * never held back: the feed's order goes on.
 */
export function webhookRenderer(
  schema: GraphQLSchema,
  contextFor: (actor: Actor) => Promise<RequestContext>,
  globalId: (type: string, uuid: string) => string,
  onError: (error: unknown) => void,
): Renderer {
  const document = parse(WEBHOOK_DATA_DOCUMENT);
  return (workspaceId: string, items: FeedItem[]) =>
    inWorkspaceScope(`webhook-data:${workspaceId}`, workspaceId, async () => {
      const ids = items.map((item) => globalId(item.kind === 1 ? "FlowStart" : "TicketEvent", item.id));
      const result = await execute({
        schema,
        document,
        variableValues: { ids },
        contextValue: await contextFor(deliveryReader(workspaceId)),
      });
      if (result.errors?.length) onError(result.errors[0]);
      const nodes = (result.data?.nodes ?? []) as Array<Record<string, unknown> | null>;
      return new Map(items.map((item, i) => [item.id, nodes[i] ?? null]));
    });
}
