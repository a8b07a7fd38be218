import { Field, ID, InterfaceType } from "type-graphql";

@InterfaceType("Node", { description: "An object with a global ID, resolvable by node(id:)." })
export abstract class Node {
  @Field(() => ID)
  id: string;
}
