import type { NonEmptyArray } from "type-graphql";
import { ApiTokenResolver } from "./api-token.resolver";
import { IdentityResolver } from "./identity.resolver";
import { MemberResolver } from "./member.resolver";
import { NodeResolver } from "./node.resolver";
import { ViewerResolver } from "./viewer.resolver";

export const RESOLVERS: NonEmptyArray<Function> = [
  IdentityResolver,
  ViewerResolver,
  MemberResolver,
  ApiTokenResolver,
  NodeResolver,
];
