/** A member's role in a workspace. */
export enum Role {
  ADMINISTRATOR = "ADMINISTRATOR",
  EDITOR = "EDITOR",
  AGENT = "AGENT",
}

export const ALL_ROLES: readonly Role[] = [Role.ADMINISTRATOR, Role.EDITOR, Role.AGENT];
