import { Foundation1764100000000 } from "./1764100000000-foundation";
import { Tickets1764200000000 } from "./1764200000000-tickets";
import { ContactFields1764300000000 } from "./1764300000000-contact-fields";
import { Team1764400000000 } from "./1764400000000-team";
import { AgentPermissions1764500000000 } from "./1764500000000-agent-permissions";

/** Every migration, oldest first. A new migration is added here as well as in this folder. */
export const MIGRATIONS = [
  Foundation1764100000000,
  Tickets1764200000000,
  ContactFields1764300000000,
  Team1764400000000,
  AgentPermissions1764500000000,
];
