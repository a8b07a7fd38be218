import { Foundation1764100000000 } from "./1764100000000-foundation";

/** Every migration, oldest first. A new migration is added here as well as in this folder. */
export const MIGRATIONS = [Foundation1764100000000];
