import type { Logger } from "pino";
import type { TokenKind } from "./entities/api-token.entity";
import type { UnitOfWork } from "./db/unit-of-work";
import type { Role } from "./entities/role";
import type { Loaders } from "./loaders";
import type { Services } from "./services";
import type { FeedRelay } from "./subscriptions/feed";

/** Who is acting: a member of one workspace, through one token. */
export interface Actor {
  userId: string;
  membershipId: string;
  workspaceId: string;
  role: Role;
  tokenId: string;
  tokenKind: TokenKind;
  /** The agent's team, if any. */
  teamId: string | null;
  /** Agents with a team: the team's topics, the only ones whose tickets they see. null = every topic. */
  topicIds: string[] | null;
  /** May assign tickets to others and unassign others' (false only for an agent whose membership says so). */
  canAssign: boolean;
  /** May reply in tickets assigned to someone else (false only for an agent whose membership says so). */
  canReplyToOthers: boolean;
}

/**
 * Everything a request carries: its identity, its database handle and its per-request loaders.
 * Services take it first; the workspace they act in is always `actor.workspaceId`, never input.
 */
export interface RequestContext {
  requestId: string;
  actor: Actor | undefined;
  /** The raw token, kept only to revoke it on logOut. */
  token: string | undefined;
  clientAddress: string | undefined;
  /**
   * The request's database work: every statement of its services and loaders goes through it,
   * and a mutation runs in its one transaction (see unit-of-work.ts).
   */
  work: UnitOfWork;
  loaders: Loaders;
  /** Fresh loaders: a subscription resolves each event with its own, never with stale ones. */
  renewLoaders(): void;
  services: Services;
  /** The subscription feeds of this process. */
  feeds: FeedRelay;
  /** Over WebSocket: the connection, for backpressure and close codes. */
  connection?: Connection;
  log: Logger;
}

/** What a subscription may know of its WebSocket connection. */
export interface Connection {
  bufferedAmount(): number;
  close(code: number, reason: string): void;
  /**
   * Calls `listener` each time the connection's member is checked again after a change to their
   * token, role or team (the actor then holds their current role and topics). Returns a remover.
   */
  onActorChange(listener: () => void): () => void;
}

/** A context whose actor is known: what services receive once the auth checker has run. */
export interface AuthedContext extends RequestContext {
  actor: Actor;
}

interface LoaderBox {
  loaderBox: { current: Loaders | undefined; make(): Loaders };
}

/** The accessor behind every request context's `loaders`: on the prototype, so that a copy shares it. */
const SHARED_LOADERS = Object.create(Object.prototype, {
  loaders: {
    get(this: LoaderBox) {
      const box = this.loaderBox;
      return (box.current ??= box.make());
    },
    set(this: LoaderBox, loaders: Loaders) {
      this.loaderBox.current = loaders;
    },
    enumerable: false,
  },
}) as object;

/**
 * A request context whose loaders survive being copied. Apollo Server runs each operation with a
 * shallow copy of the context it is given, while a mutation's unit of work renews the loaders of
 * the context it was made with once it commits (`renewLoaders`): kept in one box that both share,
 * behind an accessor of the prototype, the renewal reaches the copy the resolvers read, and a
 * later mutation of the same request never reads rows cached before an earlier one committed.
 * They are made on first use (a WebSocket subscription replaces the accessor with its own).
 */
export function withSharedLoaders(fields: Omit<RequestContext, "loaders">, make: () => Loaders): RequestContext {
  return Object.assign(Object.create(SHARED_LOADERS) as RequestContext, fields, { loaderBox: { current: undefined, make } });
}
