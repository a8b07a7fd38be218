import { registerEnumType } from "type-graphql";
import { Role } from "../entities/role";
import { UserErrorCode } from "../services/user-error";

registerEnumType(Role, { name: "Role", description: "A member's role in a workspace." });
registerEnumType(UserErrorCode, {
  name: "UserErrorCode",
  description: "Stable codes of userErrors and per-ticket failures; clients switch on them.",
});

export { Role, UserErrorCode };
