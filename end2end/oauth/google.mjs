#!/usr/bin/env node
// Google's stand-in for tests: a real OpenID Connect provider (npm `oidc-provider`) on 127.0.0.1.
//
//   node end2end/oauth/google.mjs --port 0 --client-id ID --client-secret SECRET \
//        --redirect-uri URI [--redirect-uri URI2 ...]
//
// Once it is listening it prints exactly one line on stdout, `{"issuer":"http://127.0.0.1:PORT"}`,
// and then runs until it is killed, or until its stdin closes when stdin is a pipe (so a test
// process that dies does not leave it behind). Everything else it says goes to stderr.
//
// What a test can rely on:
// - discovery at /.well-known/openid-configuration; authorization code flow only; PKCE S256 is
//   required; the client may authenticate at the token endpoint with client_secret_basic or
//   client_secret_post (as at Google); id_tokens are RS256-signed and carry email,
//   email_verified and name (scope `openid email profile`).
// - the sign-in page takes any login, no password. The login becomes the account: sub is
//   "sub-" + login, email is the login when it contains '@', and email_verified is true unless the
//   login starts with "unverified+".
// - every authorization asks for login and then consent, as in a fresh browser, so one cookie jar
//   can sign in as several people in turn. The consent page has Allow and Deny; Deny (or Cancel on
//   the sign-in page) sends the browser back to the redirect_uri with error=access_denied.
// The pages are plain HTML forms (no JavaScript), so an HTTP client can drive them:
//   GET  /interaction/:uid          sign-in page (form → POST /interaction/:uid/login, field `login`)
//                                   or consent page (forms → /interaction/:uid/confirm and /abort)
//   POST /interaction/:uid/login    signs in as `login`
//   POST /interaction/:uid/confirm  Allow
//   POST /interaction/:uid/abort    Deny / Cancel
// Each answers with a 303 that the browser follows back into the provider and, at the end, to the
// client's redirect_uri.

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

// stdout carries the single ready line and nothing else: stray console output goes to stderr.
// oidc-provider's warnings about the development-only settings that a throwaway test provider
// uses on purpose (in-memory storage, default functions, the Node.js version) are dropped; its
// other warnings still show. This has to happen before oidc-provider is imported (it warns about
// the Node.js version on import), hence the dynamic import below.
const DEV_SETTINGS = /oidc-provider (NOTICE|WARNING): .*(development-only|Unsupported runtime|default \S+ function called)/;
const quiet = (write) => (...args) => {
  if (typeof args[0] === 'string' && DEV_SETTINGS.test(args[0])) {
    return;
  }
  write(...args);
};
console.log = quiet(console.error);
console.info = quiet(console.error);
console.warn = quiet(console.warn);

const { default: Provider } = await import('oidc-provider');

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
  },
  strict: true,
});
const clientId = args['client-id'];
const clientSecret = args['client-secret'];
const redirectUris = args['redirect-uri'] ?? [];
if (!clientId || !clientSecret || redirectUris.length === 0) {
  console.error('usage: google.mjs --port 0 --client-id ID --client-secret SECRET --redirect-uri URI [--redirect-uri URI ...]');
  process.exit(2);
}
const port = Number.parseInt(args.port, 10);

// The issuer has to contain the port, and port 0 is only resolved by listening: listen first and
// hand requests to the provider once it exists (nobody can know the port before the ready line).
let handle = (req, res) => {
  res.statusCode = 503;
  res.end();
};
const server = createServer((req, res) => handle(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    // oidc-provider accepts client_secret_post as well for a client registered with
    // client_secret_basic (both are "client secret" methods), as Google does.
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  jwks: { keys: [{ ...signingKey, kid: randomUUID(), use: 'sig', alg: 'RS256' }] },
  cookies: {
    keys: [randomBytes(32).toString('base64url')],
    // Distinct names, so they cannot collide with the app's cookies in a test's shared cookie jar
    // (cookies are per host, not per port).
    names: { session: 'op_session', interaction: 'op_interaction', resume: 'op_interaction_resume' },
  },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // By default the scope's claims only go to the userinfo endpoint when an access token is issued
  // too; Google puts them in the id_token, and so do we.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
  },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  findAccount: (ctx, sub) => account(sub),
  clientBasedCORS: () => false,
  renderError: (ctx, out) => {
    ctx.type = 'text/plain';
    ctx.body = Object.entries(out).map(([key, value]) => `${key}: ${value}`).join('\n');
  },
});

/** The account behind `sub`, which is "sub-" + the login typed on the sign-in page. */
function account(sub) {
  if (!sub.startsWith('sub-')) {
    return undefined;
  }
  const login = sub.slice('sub-'.length);
  return {
    // oidc-provider always uses the accountId as the `sub` claim.
    accountId: sub,
    claims: () => ({
      sub,
      name: login.split('@')[0],
      ...(login.includes('@')
        ? { email: login, email_verified: !login.startsWith('unverified+') }
        : {}),
    }),
  };
}

const callback = provider.callback();
handle = (req, res) => {
  const url = new URL(req.url, issuer);
  const interaction = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/);
  if (interaction) {
    interact(req, res, interaction[2]).catch((err) => {
      console.error('interaction failed:', err);
      if (!res.headersSent) {
        res.statusCode = 400;
        res.setHeader('Content-Type', 'text/plain');
      }
      res.end(`interaction failed: ${err.message}`);
    });
    return;
  }
  if (url.pathname === '/auth') {
    forgetSession(req, res);
  }
  callback(req, res);
};

// Every authorization starts signed out, as in a fresh browser. Otherwise a provider session that
// an earlier sign-in left in the cookie jar would skip the sign-in page and sign in the previous
// person, and signing in as someone else would first answer with a log-out page that needs
// JavaScript. So a new authorization request neither sees the session cookie nor keeps it: the
// rest of this authorization (sign-in, consent) runs on a new session.
const SESSION_COOKIES = ['op_session', 'op_session.sig'];
function forgetSession(req, res) {
  const kept = (req.headers.cookie ?? '')
    .split(';')
    .filter((pair) => pair.trim() && !SESSION_COOKIES.includes(pair.split('=')[0].trim()));
  if (kept.length) {
    req.headers.cookie = kept.join(';');
  } else {
    delete req.headers.cookie;
  }
  // oidc-provider adds its own Set-Cookie headers to these rather than replacing them.
  res.setHeader('Set-Cookie', SESSION_COOKIES.map(
    (name) => `${name}=; path=/; max-age=0; expires=Thu, 01 Jan 1970 00:00:01 GMT; samesite=lax; httponly`,
  ));
}

async function interact(req, res, action) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params, session } = details;
  const base = `/interaction/${uid}`;

  if (req.method === 'GET' && action === undefined) {
    if (prompt.name === 'login') {
      return page(res, 'Sign in', `
<h1>Sign in</h1>
<form method="post" action="${base}/login">
  <label>Email or login <input type="text" name="login" required autofocus></label>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="${base}/abort"><button type="submit">Cancel</button></form>`);
    }
    if (prompt.name === 'consent') {
      const client = await provider.Client.find(params.client_id);
      return page(res, 'Allow access', `
<h1>${escape(client?.clientName ?? params.client_id)} wants to access your account</h1>
<p>Signed in as ${escape(session?.accountId?.replace(/^sub-/, '') ?? '')}. Scope: ${escape(params.scope ?? '')}</p>
<form method="post" action="${base}/confirm"><button type="submit">Allow</button></form>
<form method="post" action="${base}/abort"><button type="submit">Deny</button></form>`);
    }
    throw new Error(`unexpected prompt ${prompt.name}`);
  }

  if (req.method !== 'POST' || action === undefined) {
    res.statusCode = 405;
    return res.end();
  }
  const form = new URLSearchParams(await body(req));

  switch (action) {
    case 'login': {
      const login = form.get('login')?.trim();
      if (prompt.name !== 'login' || !login) {
        throw new Error('not at the sign-in step, or no login given');
      }
      return provider.interactionFinished(req, res, {
        login: { accountId: `sub-${login}` },
      }, { mergeWithLastSubmission: false });
    }
    case 'confirm': {
      if (prompt.name !== 'consent') {
        throw new Error('not at the consent step');
      }
      // Grant exactly what the client asked for (what oidc-provider's own dev pages do).
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
      if (missingOIDCScope) {
        grant.addOIDCScope(missingOIDCScope.join(' '));
      }
      if (missingOIDCClaims) {
        grant.addOIDCClaims(missingOIDCClaims);
      }
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      return provider.interactionFinished(req, res, {
        consent: { grantId: await grant.save() },
      }, { mergeWithLastSubmission: true });
    }
    case 'abort':
      return provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'End-User aborted interaction',
      }, { mergeWithLastSubmission: false });
    default:
      throw new Error(`unknown action ${action}`);
  }
}

function page(res, title, content) {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body>${content}
</body></html>
`);
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function body(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) {
      throw new Error('request body too large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Stop with the process that started us: when it dies its end of our stdin pipe closes. Only a
// pipe is watched: a terminal or /dev/null (e.g. `node google.mjs ... &` in a script) is not.
if (fstatSync(0).isFIFO()) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
