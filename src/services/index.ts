import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { IdentityService } from "./identity.service";
import { TokenService } from "./token.service";
import { WorkspaceService } from "./workspace.service";

/** The services of one server process, shared by all its requests. */
export interface Services {
  identity: IdentityService;
  tokens: TokenService;
  workspaces: WorkspaceService;
}

export function createServices(db: DataSource, config: Config): Services {
  const identity = new IdentityService(db, config);
  return {
    identity,
    tokens: new TokenService(db, config, identity),
    workspaces: new WorkspaceService(db),
  };
}
