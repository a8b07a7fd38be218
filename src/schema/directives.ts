import { DirectiveLocation, GraphQLDirective, GraphQLList, GraphQLNonNull, type GraphQLEnumType } from "graphql";

export function authDirective(roleEnum: GraphQLEnumType): GraphQLDirective {
  return new GraphQLDirective({
    name: "auth",
    description: "Who may read a field or run an operation. The server enforces it; the schema shows it.",
    locations: [DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.OBJECT],
    args: { requires: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(roleEnum))) } },
  });
}

export const contactFieldAccessDirective = new GraphQLDirective({
  name: "contactFieldAccess",
  description: "Marks fields whose values depend on per-field access rules (ContactField.agentAccess).",
  locations: [DirectiveLocation.FIELD_DEFINITION],
});
