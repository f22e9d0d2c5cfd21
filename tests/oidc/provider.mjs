// A real OpenID provider for the single sign-on tests (the `oidc-provider` package), on a
// loopback port. Started by tests/oidcprovider.py with its settings in environment variables:
//
//   OIDC_PORT           the port to listen on (127.0.0.1)
//   OIDC_CLIENTS        JSON list of {client_id, client_secret, redirect_uris}
//   OIDC_ACCOUNTS       JSON object: login -> {sub, email, email_verified, name}
//
// People sign in on the provider's development login page (any password; the login names
// the account). Consent is taken as given. Printed "listening <url>" once it serves.
//
// For the tests of a tampered ID token, POST /test/tamper {"mode": "payload"|"off", "email"}
// makes the token endpoint answer with the ID token's payload altered (the e-mail replaced)
// and its signature kept, as a man in the middle would.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const tamper = { mode: 'off', email: '' };

function b64url(text) {
  return Buffer.from(text).toString('base64url');
}

function altered(idToken) {
  const [header, payload, signature] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  claims.email = tamper.email;
  return [header, b64url(JSON.stringify(claims)), signature].join('.');
}

const provider = new Provider(issuer, {
  clients: clients.map((c) => ({
    ...c,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [signingKey] },
  cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The e-mail claims go into the ID token itself, as Entra ID and most providers do.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { ...account }; } };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/tamper' && ctx.method === 'POST') {
    let raw = '';
    for await (const chunk of ctx.req) raw += chunk;
    Object.assign(tamper, JSON.parse(raw || '{}'));
    ctx.body = { ...tamper };
    return;
  }
  await next();
  if (ctx.path === '/token' && tamper.mode === 'payload' && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: altered(ctx.body.id_token) };
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
