import { ApiToken } from "./api-token.entity";
import { Membership } from "./membership.entity";
import { User } from "./user.entity";
import { Workspace } from "./workspace.entity";

export { ApiToken, TokenKind } from "./api-token.entity";
export { Membership } from "./membership.entity";
export { Role, ALL_ROLES } from "./role";
export { User } from "./user.entity";
export { Workspace } from "./workspace.entity";

export const ENTITIES = [Workspace, User, Membership, ApiToken];
