// A real OpenID Connect provider for the SSO tests: node-oidc-provider (an OpenID
// Certified implementation), on 127.0.0.1 with the issuer http://localhost:PORT, one
// confidential client (client_secret_basic, PKCE required) and its own development
// login page, where any login name is accepted: that name becomes `sub` and `email`.
//
// To show that orgca refuses what it must, a login name may start with a prefix that
// makes the token endpoint hand out a bad ID token, re-signed after the provider made
// it: `forged-` (signed by another key under the provider's key id), `expired-`,
// `wrongaud-` (another client's), `twoaud-` (orgca's and another client's),
// `azp-` (authorised party another client), `wrongiss-` (another issuer's),
// `badnonce-`, `none-` (alg none, unsigned), `hs256-` (HMAC with the client secret),
// `unverified-` (email_verified false). The prefix is not part of `email`.
//
// Prints {"issuer": ...} as its first line once it listens. Environment: OIDC_PORT (0:
// any), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS (comma-separated).
import Provider from "oidc-provider";
import * as jose from "jose";

const env = (k) => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
const PREFIXES = [
  "forged-", "expired-", "wrongaud-", "twoaud-", "azp-", "wrongiss-", "badnonce-", "none-",
  "hs256-", "unverified-",
];
const split = (login) => {
  const prefix = PREFIXES.find((p) => login.startsWith(p)) || "";
  return { prefix, email: login.slice(prefix.length) };
};

const { privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: "orgca-test-1", alg: "RS256", use: "sig" };
const { privateKey: otherKey } = await jose.generateKeyPair("RS256");

// Listen first, so that the issuer can carry the port.
import http from "node:http";
const server = http.createServer();
await new Promise((ok) => server.listen(Number(process.env.OIDC_PORT || 0), "127.0.0.1", ok));
const issuer = `http://localhost:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env("OIDC_CLIENT_ID"),
      client_secret: env("OIDC_CLIENT_SECRET"),
      redirect_uris: env("OIDC_REDIRECT_URIS").split(","),
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  // The claims asked for by scope go into the ID token (orgca reads the ID token only).
  conformIdTokenClaims: false,
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: split(id).email, email_verified: true, name: "Test Person" };
      },
    };
  },
  // Consent is given: the test is about orgca, not the provider's consent page.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
});

// The bad tokens: the provider's own ID token, changed and signed again.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== "/token" || !ctx.body || typeof ctx.body.id_token !== "string") return;
  const claims = jose.decodeJwt(ctx.body.id_token);
  const { prefix } = split(String(claims.sub));
  if (!prefix) return;
  let key = privateKey;
  const now = Math.floor(Date.now() / 1000);
  if (prefix === "forged-") key = otherKey;
  if (prefix === "expired-") Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (prefix === "wrongaud-") claims.aud = "another-client";
  if (prefix === "wrongiss-") claims.iss = "http://localhost:1";
  if (prefix === "badnonce-") claims.nonce = "not-the-nonce-orgca-sent";
  if (prefix === "twoaud-") claims.aud = [claims.aud, "another-client"];
  if (prefix === "azp-") claims.azp = "another-client";
  if (prefix === "unverified-") claims.email_verified = false;
  let idToken;
  if (prefix === "none-") {
    const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    idToken = `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
  } else if (prefix === "hs256-") {
    idToken = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(env("OIDC_CLIENT_SECRET")));
  } else {
    idToken = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "JWT" })
      .sign(key);
  }
  ctx.body = { ...ctx.body, id_token: idToken };
});

server.on("request", provider.callback());
console.log(JSON.stringify({ issuer }));
