import { UnitOfWork } from "../../db/unit-of-work";

/**
 * What a service says once a change to who may act in a workspace has committed: a token
 * revoked, a member removed, a role, a team or a team's topics changed.
 */
export interface SessionChanges {
  /** Live connections of this workspace must be checked again against the database. */
  changed(workspaceId: string): void;
}

/** Hears a workspace whose connections to check again; undefined: every workspace's. */
type Listener = (workspaceId: string | undefined) => void;

/**
 * Fans session changes out: to this process's listeners (the WebSocket server, which checks
 * its connections of that workspace again) and, through `relayTo`, to the other processes,
 * whose own listeners hear it through `received`.
 */
export class SessionEvents implements SessionChanges {
  private readonly listeners: Listener[] = [];
  private outlet: ((workspaceId: string) => void) | undefined;

  listen(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Where changes go to reach the other processes serving this database. */
  relayTo(outlet: (workspaceId: string) => void): void {
    this.outlet = outlet;
  }

  /**
   * Inside a unit of work's open transaction, waits for its commit (a rollback announces
   * nothing): another process checking its connections before then would find the old state.
   */
  changed(workspaceId: string): void {
    const announce = () => {
      this.received(workspaceId);
      this.outlet?.(workspaceId);
    };
    const unit = UnitOfWork.current();
    if (unit) unit.afterCommit(announce);
    else announce();
  }

  /**
   * A change announced by another process; undefined when some may have been missed (the
   * connection they arrive on was lost), so that every connection is checked again.
   */
  received(workspaceId: string | undefined): void {
    for (const listener of this.listeners) listener(workspaceId);
  }
}
