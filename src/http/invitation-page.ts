import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import express from "express";
import { findProjectRoot } from "./project-root";

/** The page behind the link of an invitation email, for servers whose users have no frontend of their own. */
export interface InvitationPageOptions {
  /** URL path of the GraphQL endpoint the page calls, e.g. "/graphql" (same origin: the CSP allows no other). */
  endpoint: string;
  /** Where the page tells the new member to sign in: the GraphiQL page, e.g. "/graphql". */
  signInPath: string;
  /** Directory of the page's script and style. Default: `<project root>/web/invitation`. */
  sourceDir?: string;
}

/** The path of the page: the links of invitation emails lead here (`$PUBLIC_URL/invitations/accept?token=…`). */
export const INVITATION_PAGE_PATH = "/invitations/accept";
const ASSETS_PATH = "/invitations/assets";

/**
 * The page may run its own script and style and talk to this server's GraphQL endpoint, nothing
 * else: no inline script, no other origin, no framing, no form posted anywhere (the script sends
 * the form itself, so without it the password goes nowhere).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

interface Asset {
  /** The name it is served under: its content hash in it, so it is cacheable for good. */
  name: string;
  type: string;
  content: Buffer;
}

function asset(sourceDir: string, file: string, type: string): Asset {
  const content = readFileSync(path.join(sourceDir, file));
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 12);
  const ext = path.extname(file);
  return { name: `${path.basename(file, ext)}-${hash}${ext}`, type, content };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(opts: InvitationPageOptions, script: Asset, style: Asset): string {
  const attr = (value: string) => escapeHtml(value);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Join a workspace · Handover</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${attr(`${ASSETS_PATH}/${style.name}`)}">
<script src="${attr(`${ASSETS_PATH}/${script.name}`)}" defer></script>
</head>
<body>
<main id="main" data-endpoint="${attr(opts.endpoint)}" data-sign-in="${attr(opts.signInPath)}">
<h1 id="title" tabindex="-1">Join a workspace on Handover</h1>
<p id="status" role="status">Reading your invitation…</p>
<noscript><p class="problem">This page needs JavaScript to accept your invitation. Turn it on and reload the page.</p></noscript>

<section id="invitation" aria-labelledby="invitation-title" hidden>
<h2 id="invitation-title"><span data-field="inviterName"></span> invited you to <span data-field="workspaceName"></span></h2>
<dl class="facts">
<dt>Workspace</dt><dd data-field="workspaceName"></dd>
<dt>Invited by</dt><dd data-field="inviterName"></dd>
<dt>Your role</dt><dd data-field="roleText"></dd>
<dt>Link valid until</dt><dd data-field="expiresText"></dd>
</dl>
<form id="accept-form" method="post" novalidate>
<p id="form-intro"></p>
<div class="field">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" readonly aria-describedby="email-hint">
<p id="email-hint" class="hint">The invitation is for this address: you join as it.</p>
</div>
<div class="field" id="name-field">
<label for="name">Your name</label>
<input id="name" name="name" type="text" autocomplete="name" maxlength="100" required aria-describedby="name-error">
<p id="name-error" class="error" hidden></p>
</div>
<div class="field">
<label for="password" id="password-label">Choose a password</label>
<input id="password" name="password" type="password" autocomplete="new-password" maxlength="200" required aria-describedby="password-hint password-error">
<p id="password-hint" class="hint">At least 8 characters.</p>
<p id="password-error" class="error" hidden></p>
</div>
<div id="form-error" class="problem" role="alert" hidden></div>
<button type="submit" id="submit">Accept the invitation</button>
</form>
</section>

<section id="done" aria-labelledby="done-title" hidden>
<h2 id="done-title" tabindex="-1"></h2>
<p id="done-text"></p>
<h3>Signing in</h3>
<p>Sign in with <strong data-field="email"></strong> and your password. In this server's GraphiQL page:</p>
<ol>
<li>Open <a id="sign-in-link" href="${attr(opts.signInPath)}">GraphiQL</a> (<code>${escapeHtml(opts.signInPath)}</code> on this server).</li>
<li>Run the <code>logIn</code> mutation of its first tab, with your email and password in its Variables:
<pre><code id="log-in-example"></code></pre></li>
<li>Put the <code>token</code> it answers in the Headers: <code>{"Authorization": "Bearer &lt;token&gt;"}</code>.</li>
</ol>
<p>An app built on Handover for your team signs you in with the same email and password.</p>
</section>

<section id="problem" aria-labelledby="problem-title" hidden>
<h2 id="problem-title" tabindex="-1"></h2>
<p id="problem-text"></p>
<button type="button" id="retry" hidden>Try again</button>
</section>
</main>
</body>
</html>
`;
}

/**
 * Serves the invitation page at /invitations/accept and its script and style: plain HTML and a
 * little script, no framework, nothing from another origin, under a strict Content-Security-Policy.
 * The script reads the token from the link, shows the invitation (the `invitation` query), asks
 * for a name and password (only the password when the email has an account), calls
 * `acceptInvitation` and says how to sign in. The page answers 503 when its files are missing.
 */
export function invitationPage(opts: InvitationPageOptions): express.RequestHandler {
  const sourceDir = opts.sourceDir ?? path.join(findProjectRoot(), "web", "invitation");
  let assets: { script: Asset; style: Asset; html: string } | undefined;
  try {
    const script = asset(sourceDir, "accept.js", "text/javascript; charset=utf-8");
    const style = asset(sourceDir, "accept.css", "text/css; charset=utf-8");
    assets = { script, style, html: page(opts, script, style) };
  } catch {
    assets = undefined;
  }
  const router = express.Router();
  router.get(INVITATION_PAGE_PATH, (_req, res) => {
    // The link carries a secret: the page is kept out of caches and never sends it on as a referrer.
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Referrer-Policy", "no-referrer");
    res.setHeader("X-Content-Type-Options", "nosniff");
    if (!assets) {
      res.status(503).type("text/plain").send(`The invitation page is missing: ${sourceDir} holds no accept.js and accept.css\n`);
      return;
    }
    res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    res.setHeader("X-Frame-Options", "DENY");
    res.type("html").send(assets.html);
  });
  router.get(`${ASSETS_PATH}/:name`, (req, res) => {
    const found = assets && [assets.script, assets.style].find((a) => a.name === req.params.name);
    if (!found) {
      res.status(404).type("text/plain").send("Not found\n");
      return;
    }
    res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.type(found.type).send(found.content);
  });
  return router;
}
