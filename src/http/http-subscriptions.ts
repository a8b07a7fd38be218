import { GraphQLError, type ValidationRule } from "graphql";

/**
 * Subscriptions are served over WebSocket only. Over HTTP their resolvers would run once without
 * an event to deliver, so such an operation is refused before execution, saying where to go.
 * (Apollo applies its validation rules to HTTP requests only; the WebSocket server validates on
 * its own.)
 */
export const noSubscriptionsOverHttp: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== "subscription") return;
    context.reportError(
      new GraphQLError(
        "Subscriptions are served over WebSocket (the graphql-transport-ws protocol) at /graphql, not over HTTP. " +
          "Use ticketEvents or flowStarts as queries to poll.",
        { nodes: node },
      ),
    );
  },
});
