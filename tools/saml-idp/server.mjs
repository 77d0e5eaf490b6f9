// A real SAML 2.0 identity provider (samlify) for the tests, with login that needs no form.
//
//   SAML_IDP_PORT=0 SAML_IDP_SP_METADATA_URL=... SAML_IDP_USERS='{...}' node tools/saml-idp/server.mjs
//
// Env (read once at start):
//   SAML_IDP_PORT             port on 127.0.0.1; 0 (default) = ephemeral.
//   SAML_IDP_SP_METADATA_URL  where the SP (our server) serves its metadata; read at each sign-in.
//   SAML_IDP_USERS            JSON object NameID -> attributes, e.g. {"alice@example.com": {"email": "..."}};
//                             each attribute is a string or a list of strings.
// Prints exactly one line on stdout, `READY <base URL>`, once listening; logs go to stderr.
//
// Endpoints:
//   GET /metadata   the IdP's metadata: entityID {base}/metadata, signing certificate (RSA 2048,
//                   self-signed with the openssl CLI at each start), HTTP-Redirect SSO at /sso.
//   GET /sso?SAMLRequest=..&RelayState=..[&user=<NameID>]  signs in `user` (default: the first of
//                   SAML_IDP_USERS) at once and answers the usual auto-submitting HTML form that POSTs
//                   SAMLResponse and RelayState to the SP's assertion consumer service;
//                   `&format=json` answers {action, SAMLResponse, RelayState} instead.
// The assertion is signed (rsa-sha256); test knobs on /sso make one defect at a time:
//   audience, recipient, destination, inResponseTo (values), nbf / exp (seconds from now),
//   unsigned=1 (no signature at all), signResponse=1 (sign the Response too).
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import saml from 'samlify';
import validator from '@authenio/samlify-xmllint-wasm';

console.log = console.info = console.error; // stdout carries only the READY line

const port = Number(process.env.SAML_IDP_PORT || '0');
const spMetadataUrl = process.env.SAML_IDP_SP_METADATA_URL;
const users = JSON.parse(process.env.SAML_IDP_USERS || '{}');
if (!spMetadataUrl) throw new Error('SAML_IDP_SP_METADATA_URL is required');

saml.setSchemaValidator(validator);

// The signing key and its certificate, made at each start.
const dir = mkdtempSync(join(tmpdir(), 'apio-saml-idp-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=apio-test-idp', '-days', '2',
  '-keyout', join(dir, 'idp.key'), '-out', join(dir, 'idp.crt')], { stdio: 'ignore' });
const privateKey = readFileSync(join(dir, 'idp.key'));
const signingCert = readFileSync(join(dir, 'idp.crt'));
rmSync(dir, { recursive: true, force: true });

const xml = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const iso = (secs) => new Date(Date.now() + secs * 1000).toISOString();

function attributeStatement(attributes) {
  const entries = Object.entries(attributes ?? {});
  if (entries.length === 0) return '';
  const one = ([name, value]) => `<saml:Attribute Name="${xml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${
    [value].flat().map((v) => `<saml:AttributeValue>${xml(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
  return `<saml:AttributeStatement>${entries.map(one).join('')}</saml:AttributeStatement>`;
}

let idp; // set once the port is known (the entity ID contains it)

async function signIn(q) {
  const spMetadata = await (await fetch(spMetadataUrl)).text();
  const sp = saml.ServiceProvider({ metadata: spMetadata, wantMessageSigned: q.get('signResponse') === '1' });
  const request = await idp.parseLoginRequest(sp, 'redirect', { query: Object.fromEntries(q) });
  const acs = sp.entityMeta.getAssertionConsumerService('post'); // the short name: the URN gives undefined
  const user = q.get('user') ?? Object.keys(users)[0];
  if (!Object.hasOwn(users, user)) throw new Error(`unknown user ${user}`);
  const now = iso(0);
  const values = {
    ID: `_${randomUUID()}`,
    AssertionID: `_${randomUUID()}`,
    Destination: q.get('destination') ?? acs,
    Audience: q.get('audience') ?? sp.entityMeta.getEntityID(),
    SubjectRecipient: q.get('recipient') ?? acs,
    Issuer: idp.entityMeta.getEntityID(),
    IssueInstant: now,
    StatusCode: saml.Constants.StatusCode.Success,
    ConditionsNotBefore: iso(Number(q.get('nbf') ?? -5)),
    ConditionsNotOnOrAfter: iso(Number(q.get('exp') ?? 300)),
    SubjectConfirmationDataNotOnOrAfter: iso(Number(q.get('exp') ?? 300)),
    NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    NameID: user,
    InResponseTo: q.get('inResponseTo') ?? request.extract.request.id,
  };
  // Fragments of XML, put in as they are (replaceTagsByValue escapes what it puts in).
  const fragments = {
    AuthnStatement: `<saml:AuthnStatement AuthnInstant="${now}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
    AttributeStatement: attributeStatement(users[user]),
  };
  const fill = (template) => saml.SamlLib.replaceTagsByValue(
    Object.entries(fragments).reduce((t, [tag, xmlText]) => t.replace(`{${tag}}`, xmlText), template),
    values,
  );
  let response;
  if (q.get('unsigned') === '1') {
    response = Buffer.from(fill(saml.SamlLib.defaultLoginResponseTemplate.context)).toString('base64');
  } else {
    const made = await idp.createLoginResponse(sp, request, 'post', { email: user },
      (template) => ({ id: values.ID, context: fill(template) }));
    response = made.context;
  }
  console.error(`sso: ${user} -> ${acs}`);
  return { action: acs, SAMLResponse: response, RelayState: q.get('RelayState') ?? '' };
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, idp.entityMeta.getEntityID());
  try {
    if (url.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' });
      return res.end(idp.getMetadata());
    }
    if (url.pathname === '/sso') {
      const form = await signIn(url.searchParams);
      if (url.searchParams.get('format') === 'json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(form));
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(`<!doctype html><form method="post" action="${xml(form.action)}">`
        + `<input type="hidden" name="SAMLResponse" value="${xml(form.SAMLResponse)}">`
        + `<input type="hidden" name="RelayState" value="${xml(form.RelayState)}"></form>`
        + '<script>document.forms[0].submit()</script>');
    }
    res.writeHead(404).end();
  } catch (err) {
    console.error(`error: ${err?.stack ?? err}`);
    res.writeHead(400, { 'content-type': 'text/plain' }).end(`${err}\n`);
  }
});

server.listen(port, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  idp = saml.IdentityProvider({
    entityID: `${base}/metadata`,
    privateKey,
    signingCert,
    wantAuthnRequestsSigned: false,
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: `${base}/sso` }],
  });
  process.stdout.write(`READY ${base}\n`);
});
