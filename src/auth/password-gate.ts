import type { Config } from "../config";
import { LoginThrottle } from "./login-throttle";
import { decoyHash, verifyPassword } from "./password";

/** Who is trying a password: the account's email and the client's address (undefined over a WebSocket). */
export interface PasswordClaim {
  email: string;
  address: string | undefined;
  password: string;
}

/**
 * The one place a password is checked: logIn, signUp with an existing email, acceptInvitation as
 * an existing user, and any future entry point. Every check counts toward the same lockout (per
 * email and per client address, LoginThrottle): while an email or an address is locked, the gate
 * refuses with RATE_LIMITED without checking anything, so a right guess during the lockout tells
 * nothing. A check against an account that does not exist costs the same work (a decoy hash) and
 * fails. `verifyPassword` is imported nowhere else (an ESLint rule keeps it so).
 */
export class PasswordGate {
  readonly throttle: LoginThrottle;

  constructor(config: Pick<Config, "loginMaxFailures" | "loginFailureWindowSeconds">) {
    this.throttle = new LoginThrottle(config.loginMaxFailures, config.loginFailureWindowSeconds * 1000);
  }

  /**
   * Whether `claim.password` is the password of the account whose stored hash is `storedHash`
   * (undefined: no such account). Throws RateLimitedError, checking nothing, during a lockout.
   */
  async check(claim: PasswordClaim, storedHash: string | undefined): Promise<boolean> {
    const attempt = this.throttle.begin({ email: claim.email, address: claim.address });
    let valid = false;
    try {
      valid = (await verifyPassword(claim.password, storedHash ?? (await decoyHash()))) && storedHash !== undefined;
    } finally {
      if (valid) attempt.succeeded();
      else attempt.failed();
    }
    return valid;
  }
}
