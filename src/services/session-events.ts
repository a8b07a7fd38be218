/** What ends live sessions: connections held with a token close when either happens. */
export interface SessionEnd {
  /** A member was removed from a workspace: every connection of theirs there ends. */
  memberRemoved(workspaceId: string, userId: string): void;
  /** A token was revoked (logOut, revokeApiToken): connections made with it end. */
  tokenRevoked(tokenId: string): void;
}

/** Fans session ends out to whoever listens (the WebSocket server), after the change commits. */
export class SessionEvents implements SessionEnd {
  private readonly listeners: SessionEnd[] = [];

  listen(listener: SessionEnd): void {
    this.listeners.push(listener);
  }

  memberRemoved(workspaceId: string, userId: string): void {
    for (const l of this.listeners) l.memberRemoved(workspaceId, userId);
  }

  tokenRevoked(tokenId: string): void {
    for (const l of this.listeners) l.tokenRevoked(tokenId);
  }
}
