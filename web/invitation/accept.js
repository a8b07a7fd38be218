// The page behind an invitation email's link (served by src/http/invitation-page.ts): shows the
// invitation, accepts it with acceptInvitation, and says how to sign in. Plain script, no
// framework, and only this server's GraphQL endpoint: the page's CSP allows nothing else.
(function () {
  "use strict";

  var main = document.getElementById("main");
  var endpoint = main.getAttribute("data-endpoint");
  var signInPath = main.getAttribute("data-sign-in");
  var $ = function (id) {
    return document.getElementById(id);
  };

  var ROLES = { ADMINISTRATOR: "an administrator", EDITOR: "an editor", AGENT: "an agent" };
  var PREVIEW =
    "query InvitationPreview($token: String!) { invitation(token: $token) " +
    "{ workspaceName inviterName role teamName email hasAccount expiresAt } }";
  var ACCEPT =
    "mutation AcceptInvitation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) " +
    "{ token viewer { role workspace { name } } userErrors { code field message } } }";
  var LOG_OUT = "mutation LogOut { logOut }";

  var token = new URLSearchParams(window.location.search).get("token");
  var invitation = null;

  /** Sends one GraphQL operation; answers { data, errors } or { unreachable: true }. */
  function request(query, variables, bearer) {
    var headers = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
    if (bearer) headers.authorization = "Bearer " + bearer;
    return fetch(endpoint, {
      method: "POST",
      headers: headers,
      body: JSON.stringify({ query: query, variables: variables }),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { data: body.data || null, errors: body.errors || [] };
        });
      })
      .catch(function () {
        return { unreachable: true, data: null, errors: [] };
      });
  }

  function codeOf(error) {
    return (error && error.extensions && error.extensions.code) || "";
  }

  /** "40 seconds", "15 minutes (at 14:32)": how long a lockout lasts. */
  function waitText(seconds) {
    var s = Math.max(1, Math.ceil(Number(seconds) || 1));
    if (s < 60) return s + (s === 1 ? " second" : " seconds");
    var minutes = Math.ceil(s / 60);
    var at = new Date(Date.now() + s * 1000).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    return minutes + (minutes === 1 ? " minute" : " minutes") + " (at " + at + ")";
  }

  function fill(field, value) {
    var nodes = document.querySelectorAll('[data-field="' + field + '"]');
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = value;
  }

  function setStatus(text, quiet) {
    var status = $("status");
    status.textContent = text;
    status.className = quiet ? "visually-hidden" : "";
  }

  function showOnly(id) {
    ["invitation", "done", "problem"].forEach(function (section) {
      $(section).hidden = section !== id;
    });
  }

  /** A page-level problem: the link does not work, or the server cannot be reached. */
  function problem(title, text, options) {
    options = options || {};
    $("problem-title").textContent = title;
    $("problem-text").textContent = text;
    $("retry").hidden = !options.retry;
    $("retry").onclick = options.retry || null;
    setStatus("", true);
    showOnly("problem");
    $("problem-title").focus();
  }

  function roleText(role, teamName) {
    return (ROLES[role] || role) + (teamName ? " in the team " + teamName : "");
  }

  function load() {
    if (!token) {
      problem(
        "This link is incomplete",
        "The address of this page should end in ?token= followed by the code of your invitation email. " +
          "Open the link of the email again, or copy all of it into the address bar.",
      );
      return;
    }
    setStatus("Reading your invitation…");
    request(PREVIEW, { token: token }).then(function (res) {
      if (res.unreachable) {
        problem("The server could not be reached", "Check your connection, then try again.", { retry: load });
        return;
      }
      var error = res.errors[0];
      if (!res.data || !res.data.invitation) {
        if (codeOf(error) === "NOT_FOUND") {
          problem(
            "This invitation link does not work",
            "It has expired, been used or been revoked. Ask the person who invited you for a new invitation. " +
              "If you accepted it already, sign in instead (GraphiQL, at " + signInPath + " on this server).",
          );
        } else if (codeOf(error) === "RATE_LIMITED") {
          problem("Too many requests", "Wait " + waitText(error.extensions.retryAfter) + ", then try again.", { retry: load });
        } else {
          problem("Your invitation could not be read", (error && error.message) || "The server gave no answer.", { retry: load });
        }
        return;
      }
      show(res.data.invitation);
    });
  }

  function show(found) {
    invitation = found;
    var role = roleText(found.role, found.teamName);
    var expires = new Date(found.expiresAt).toLocaleString(undefined, { dateStyle: "long", timeStyle: "short" });
    fill("workspaceName", found.workspaceName);
    fill("inviterName", found.inviterName);
    fill("roleText", role.charAt(0).toUpperCase() + role.slice(1));
    fill("expiresText", expires);
    fill("email", found.email);
    document.title = "Join " + found.workspaceName + " · Handover";
    $("email").value = found.email;
    var password = $("password");
    if (found.hasAccount) {
      $("name-field").hidden = true;
      $("name").required = false;
      $("password-label").textContent = "Your Handover password";
      password.autocomplete = "current-password";
      $("password-hint").textContent = "You already have an account as " + found.email + ": its password adds this workspace to it.";
      $("form-intro").textContent = "Enter the password of your account to join.";
    } else {
      $("form-intro").textContent = "Choose your name and a password: they create your account.";
    }
    setStatus(
      found.inviterName + " invited you to join " + found.workspaceName + " as " + role + ". " +
        (found.hasAccount ? "Enter your password to accept." : "Choose your name and a password to accept."),
      true,
    );
    showOnly("invitation");
  }

  function fieldError(field, message) {
    var input = $(field);
    var error = $(field + "-error");
    error.textContent = message || "";
    error.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  function formError(message) {
    $("form-error").textContent = message || "";
    $("form-error").hidden = !message;
  }

  function clearErrors() {
    fieldError("name", "");
    fieldError("password", "");
    formError("");
  }

  /** An error of one field: shown beside it, announced, and the field focused. */
  function invalid(field, message) {
    fieldError(field, message);
    formError(message);
    $(field).focus();
  }

  function busy(on) {
    $("submit").disabled = on;
    $("submit").textContent = on ? "Joining…" : "Accept the invitation";
    $("accept-form").setAttribute("aria-busy", on ? "true" : "false");
  }

  function joined(title, text) {
    $("done-title").textContent = title;
    $("done-text").textContent = text;
    $("log-in-example").textContent = JSON.stringify({ email: invitation.email, password: "<your password>" }, null, 2);
    setStatus("", true);
    showOnly("done");
    $("done-title").focus();
  }

  function submit(event) {
    event.preventDefault();
    if ($("submit").disabled) return;
    clearErrors();
    var name = $("name").value.trim();
    var password = $("password").value;
    if (!invitation.hasAccount && !name) return invalid("name", "Enter your name.");
    if (!password) return invalid("password", "Enter a password.");
    if (!invitation.hasAccount && password.length < 8) return invalid("password", "The password needs at least 8 characters.");
    var input = { token: token, password: password };
    if (!invitation.hasAccount) input.name = name;
    busy(true);
    request(ACCEPT, { input: input }).then(function (res) {
      busy(false);
      if (res.unreachable) return formError("The server could not be reached: check your connection, then try again.");
      var error = res.errors[0];
      var payload = res.data && res.data.acceptInvitation;
      if (!payload) {
        if (codeOf(error) === "RATE_LIMITED") {
          var wait = error.extensions.retryAfter;
          formError("Too many failed password attempts for this account or from your network. Try again in " + waitText(wait) + ".");
          $("submit").disabled = true;
          window.setTimeout(function () {
            $("submit").disabled = false;
          }, Math.max(1, Number(wait) || 1) * 1000);
          return;
        }
        var field = error && error.extensions && error.extensions.field;
        if (codeOf(error) === "BAD_USER_INPUT" && (field === "name" || field === "password")) return invalid(field, error.message);
        return formError((error && error.message) || "The invitation could not be accepted. Try again.");
      }
      var userError = payload.userErrors[0];
      if (!userError) {
        // The page keeps no session: the one acceptInvitation opened is closed, and the new
        // member signs in where they work.
        request(LOG_OUT, {}, payload.token);
        return joined(
          "You joined " + invitation.workspaceName,
          "You are a member as " + roleText(payload.viewer.role, invitation.teamName) + ".",
        );
      }
      if (userError.code === "INVALID_CREDENTIALS") {
        return invalid("password", "Wrong password for " + invitation.email + ": enter the password you sign in to Handover with.");
      }
      if (userError.code === "INVITATION_INVALID") {
        return problem(
          "This invitation link no longer works",
          userError.message + " " + invitation.inviterName + " can invite you again.",
        );
      }
      if (userError.code === "ALREADY_MEMBER") {
        return joined("You are already a member of " + invitation.workspaceName, "This invitation was left unused.");
      }
      formError(userError.message);
    });
  }

  $("accept-form").addEventListener("submit", submit);
  load();
})();
