// A real OpenID provider (node-oidc-provider) for the tests, with login that needs no browser UI.
//
//   OIDC_IDP_PORT=0 OIDC_IDP_CLIENTS='[...]' OIDC_IDP_USERS='{...}' node tools/oidc-idp/server.mjs
//
// Env (read once at start):
//   OIDC_IDP_PORT     port on 127.0.0.1; 0 (default) = ephemeral. The issuer is http://127.0.0.1:<port>.
//   OIDC_IDP_CLIENTS  JSON array of client metadata: {client_id, client_secret, redirect_uris, ...};
//                     any other oidc-provider client metadata is passed through as is.
//   OIDC_IDP_USERS    JSON object sub -> claims, e.g. {"alice-sub": {"email": "alice@example.com"}}.
//   OIDC_IDP_MODE     test hook for negative tests, see MODES below; "normal" by default.
// Prints exactly one line on stdout, `READY <issuer>`, once listening; logs go to stderr.
//
// A user's `amr` in OIDC_IDP_USERS is how that login authenticated; it reaches the ID token.
// Login: the authorization request's `login_hint=<sub>` picks the user (without login_hint, the
// first user of OIDC_IDP_USERS; an unknown sub ends the flow with error=access_denied at the
// redirect_uri). The interaction handler below signs that user in and grants the requested
// scopes at once, so an HTTP client that keeps cookies and follows redirects goes
//   /auth?... -> /interaction/<uid> -> /auth/<uid> -> <redirect_uri>?code=...&state=...
// without any page to fill in.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import Provider from 'oidc-provider';

// stdout carries only the READY line: oidc-provider prints its notices with console.info.
console.log = console.info = console.error;

const env = (name, fallback) => process.env[name] || fallback;
const port = Number(env('OIDC_IDP_PORT', '0'));
const clients = JSON.parse(env('OIDC_IDP_CLIENTS', '[]'));
const users = JSON.parse(env('OIDC_IDP_USERS', '{}'));
const mode = env('OIDC_IDP_MODE', 'normal');

// MODES: how the ID token of the token endpoint's response is altered after oidc-provider made it.
// Each mode but `normal` re-signs the changed payload with the provider's own key (so only the
// named defect is present), except `bad-signature`, signed by another key under the same kid.
const MODES = {
  normal: null,
  'bad-signature': (p) => p,
  'wrong-iss': (p) => ({ ...p, iss: `${p.iss}/other` }),
  'wrong-aud': (p) => ({ ...p, aud: 'another-client' }),
  'wrong-nonce': (p) => ({ ...p, nonce: 'not-the-nonce-sent' }),
  'no-sub': ({ sub, ...p }) => p,
};
if (!(mode in MODES)) {
  throw new Error(`OIDC_IDP_MODE=${mode}: expected one of ${Object.keys(MODES).join(', ')}`);
}

// The ID token signing key: RSA 2048, generated at each start, RS256.
const kid = randomBytes(8).toString('hex');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
function tamper(idToken) {
  const [header, payload] = idToken.split('.');
  const claims = MODES[mode](JSON.parse(Buffer.from(payload, 'base64url')));
  const input = `${header}.${b64url(claims)}`;
  const key = mode === 'bad-signature' ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey : privateKey;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

// Standard claims by scope; any other claim name found in OIDC_IDP_USERS (e.g. Google's `hd`)
// goes with `openid`, so it is always returned.
const byScope = {
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username',
    'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at'],
};
const standard = new Set(Object.values(byScope).flat());
const extra = [...new Set(Object.values(users).flatMap(Object.keys))].filter((c) => !standard.has(c));

let provider; // set once the port is known (the issuer contains it)
let handle; // provider.callback(), the provider's own request handler

// The interaction handler: no page, the user named by login_hint is signed in, and the grant
// covers every requested scope and claim. A second interaction (e.g. consent only) is handled alike.
async function interaction(req, res) {
  const { uid, prompt, params, session, grantId } = await provider.interactionDetails(req, res);
  if (prompt.name !== 'login' && prompt.name !== 'consent') throw new Error(`prompt ${prompt.name}?`);
  let accountId = session?.accountId;
  const result = {};
  if (prompt.name === 'login') {
    accountId = params.login_hint || Object.keys(users)[0];
    if (!Object.hasOwn(users, accountId)) {
      const error = { error: 'access_denied', error_description: `unknown login_hint ${accountId}` };
      return provider.interactionFinished(req, res, error, { mergeWithLastSubmission: false });
    }
    // `amr` (how the user authenticated, e.g. ["pwd", "otp"]) is the session's, not a claim:
    // oidc-provider puts the login's amr in the ID token.
    result.login = { accountId, ...(users[accountId].amr ? { amr: users[accountId].amr } : {}) };
  }
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  result.consent = { grantId: await grant.save() };
  console.error(`interaction ${uid}: ${prompt.name} as ${accountId}`);
  return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

const server = createServer((req, res) => {
  if (!req.url.startsWith('/interaction/')) return handle(req, res);
  interaction(req, res).catch((err) => {
    console.error(`interaction failed: ${err}`);
    res.writeHead(400, { 'content-type': 'text/plain' }).end(`interaction failed: ${err}\n`);
  });
});

server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingJwk] },
    cookies: {
      keys: [randomBytes(32).toString('hex')],
      // No SSO session at this IdP: its session cookie is scoped to a path no client visits, so
      // every authorization request signs in again and login_hint always decides who (a test
      // client keeping one cookie jar can sign in as alice, then as bob).
      long: { httpOnly: true, sameSite: 'lax', path: '/no-sso-session' },
    },
    async findAccount(_ctx, sub) {
      if (!Object.hasOwn(users, sub)) return undefined;
      return { accountId: sub, claims: async () => ({ ...users[sub], sub }) };
    },
    claims: { openid: ['sub', ...extra], ...byScope },
    scopes: ['openid', 'email', 'profile'],
    conformIdTokenClaims: false, // the scope's claims go in the ID token too, not only userinfo
    pkce: { required: () => true }, // S256 is the only method oidc-provider 9 supports
    responseTypes: ['code'],
    // Explicit lifetimes (seconds), which also quiets oidc-provider's notices about the defaults.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 3600, IdToken: 3600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
  });
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  if (MODES[mode]) {
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.oidc?.route === 'token' && ctx.body?.id_token) ctx.body.id_token = tamper(ctx.body.id_token);
    });
  }
  handle = provider.callback(); // after provider.use: koa composes the middleware here
  process.stdout.write(`READY ${issuer}\n`);
});
