// A real OpenID Connect provider for the e-ID tests: panva's oidc-provider (certified), on a
// loopback port, standing in for a region's e-ID broker (BankID, Freja eID, ...).
//
// Started by tests/accounts/oidc/conftest.py with PORT, CLIENTS (JSON: [{client_id,
// client_secret, redirect_uris}]) in the environment. There is no login page: the person who
// logs in next, and whether the next ID token is spoiled, are set by the test through
// POST /_test/next {"account": {claims}, "spoil": mode} (a body, so the personnummer stays out
// of every URL and log line), so the whole flow is browser redirects
// the test can follow. Spoiling happens after oidc-provider has issued a correct token, as a
// broken or hostile broker would send it: "signature" changes the personnummer without
// re-signing; "expired", "audience" and "nonce" re-sign a token with a past expiry, another
// client's audience or a nonce the login never sent; "algorithm" signs it with HS256, as a
// forger who holds only the public key would try.
import crypto from "node:crypto";
import { Provider } from "oidc-provider";

const PERSONNUMMER_SCOPE = "https://id.oidc.se/scope/naturalPersonNumber";
const PERSONNUMMER_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber";
const LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS).map((client) => ({
  ...client,
  grant_types: ["authorization_code"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_post",
}));

const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-key", alg: "RS256", use: "sig" };

const accounts = new Map();
const next = { account: null, spoil: "" };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [crypto.randomBytes(16).toString("hex")] },
  acrValues: [LOA3],
  claims: {
    openid: ["sub"],
    acr: null, // a claim of its own, not a scope
    profile: ["name", "given_name", "family_name"],
    email: ["email", "email_verified"],
    [PERSONNUMMER_SCOPE]: [PERSONNUMMER_CLAIM],
  },
  scopes: ["openid", "profile", "email", PERSONNUMMER_SCOPE],
  // The Swedish OIDC profile puts the identity claims in the ID token itself.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, sub) {
    const claims = accounts.get(sub);
    if (!claims) return undefined;
    return { accountId: sub, claims: async () => ({ ...claims, sub }) };
  },
  // Consent is implied, as with an e-ID broker: the grant covers what the client asked for.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(" "));
    await grant.save();
    return grant;
  },
});

const b64json = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const unb64json = (part) => JSON.parse(Buffer.from(part, "base64url").toString());

function spoiled(token, mode) {
  const [header, payload, signature] = token.split(".");
  const claims = unb64json(payload);
  if (mode === "signature") {
    claims[PERSONNUMMER_CLAIM] = "191212121212";
    return `${header}.${b64json(claims)}.${signature}`;
  }
  if (mode === "algorithm") {
    const forged = `${b64json({ ...unb64json(header), alg: "HS256" })}.${payload}`;
    const mac = crypto.createHmac("sha256", "a-public-key").update(forged).digest("base64url");
    return `${forged}.${mac}`;
  }
  const now = Math.floor(Date.now() / 1000);
  if (mode === "expired") Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  else if (mode === "audience") claims.aud = "another-client";
  else if (mode === "nonce") claims.nonce = "a-nonce-this-login-never-sent";
  else throw new Error(`unknown spoil mode ${mode}`);
  const input = `${header}.${b64json(claims)}`;
  const resigned = crypto.sign("sha256", Buffer.from(input), privateKey).toString("base64url");
  return `${input}.${resigned}`;
}

provider.use(async (ctx, nextMiddleware) => {
  if (ctx.path === "/_test/next" && ctx.method === "POST") {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    const { account, spoil } = JSON.parse(Buffer.concat(chunks).toString());
    accounts.set(account.sub, account);
    next.account = account;
    next.spoil = spoil || "";
    ctx.body = { ok: true };
    return;
  }
  if (ctx.path.startsWith("/interaction/")) {
    await provider.interactionDetails(ctx.req, ctx.res);
    const result = { login: { accountId: next.account.sub, acr: LOA3 } };
    ctx.status = 303;
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result));
    return;
  }
  await nextMiddleware();
  if (ctx.path === "/token" && next.spoil && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: spoiled(ctx.body.id_token, next.spoil) };
    next.spoil = "";
  }
});

provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
