//! OpenID Connect login, the relying party's half: an organisation's identity provider is
//! discovered from its issuer URL, a browser is sent to it with a fresh `state`, `nonce`
//! and PKCE challenge, and the code it brings back is redeemed for an ID token whose
//! signature (with the provider's published keys, asymmetric algorithms only), issuer,
//! audience, expiry and nonce are checked. What comes out is the [`Identity`] the provider
//! vouches for.
//!
//! This crate must never decide who that identity is in orgca (the RA matches it to a user
//! of the one organisation the login was started for), never log a client secret, code,
//! token or nonce, never follow an HTTP redirect (a provider's endpoints are the ones its
//! discovery document names), and never talk plain HTTP to anything but a loopback
//! address.

use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenVerifier, CoreJwsSigningAlgorithm,
    CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, HttpRequest,
    HttpResponse, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    SignatureVerificationError, TokenResponse,
};

/// The largest answer read from a provider (a discovery document or key set is a few KB).
const MAX_ANSWER: usize = 1 << 20;

/// The ID token algorithms accepted: asymmetric ones only, so that a token can never be
/// "signed" with the client secret or with nothing.
const ALGORITHMS: [CoreJwsSigningAlgorithm; 7] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// Why a login through a provider did not go through. The texts are for the operator's
/// log and hold no secret.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    /// The settings cannot work (an issuer that is not HTTPS, say).
    #[error("{0}")]
    Settings(String),
    /// The provider could not be reached, or its discovery document or keys are unusable.
    #[error("the identity provider could not be used: {0}")]
    Provider(String),
    /// The provider refused to redeem the code (used before, expired, or not ours).
    #[error("the identity provider refused the code: {0}")]
    CodeRefused(String),
    /// The ID token is not one to trust (signature, issuer, audience, expiry or nonce).
    #[error("the ID token was refused: {0}")]
    TokenRefused(String),
    /// The ID token is signed with a key the provider's key set (as last fetched) lacks:
    /// fetch the provider again and check once more.
    #[error("the ID token is signed with a key the provider does not publish")]
    UnknownKey,
}

/// The HTTP client every provider is reached through: no redirects, short timeouts.
#[derive(Clone, Debug)]
pub struct Http(reqwest::Client);

impl Http {
    /// A client with 5 s to connect and 15 s for a whole request, and a new connection
    /// for each request.
    pub fn new() -> Result<Self, SsoError> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // No idle connections kept: logins are rare, and a provider that closes an
            // idle connection as it is reused would fail the one POST that redeems a code
            // (which cannot be sent twice).
            .pool_max_idle_per_host(0)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("orgca/", env!("CARGO_PKG_VERSION")))
            .build()
            .map(Http)
            .map_err(|e| SsoError::Settings(format!("the HTTP client: {e}")))
    }

    /// One request, as the OpenID Connect library hands it over.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpFailure> {
        let (parts, body) = request.into_parts();
        let mut response = self
            .0
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(|e| HttpFailure(chain(&e.without_url())))?;
        let mut answer = openidconnect::http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            answer = answer.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| HttpFailure(chain(&e.without_url())))?
        {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(HttpFailure(format!(
                    "the answer is longer than {MAX_ANSWER} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        answer.body(body).map_err(|e| HttpFailure(e.to_string()))
    }
}

impl<'c> openidconnect::AsyncHttpClient<'c> for Http {
    type Error = HttpFailure;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<HttpResponse, HttpFailure>> + Send + 'c>,
    >;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

/// A failed HTTP exchange with a provider.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpFailure(String);

/// The issuer URL, checked: HTTPS, or HTTP to a loopback address (a provider on the same
/// machine, as in tests); kept exactly as given (issuers are compared as strings, and
/// some end in `/`).
pub fn issuer_url(issuer: &str) -> Result<IssuerUrl, SsoError> {
    let url = url::Url::parse(issuer).map_err(|e| {
        SsoError::Settings(format!(
            "the issuer {issuer:?} is no URL ({e}): give it as the provider documents it, e.g. https://login.microsoftonline.com/<tenant>/v2.0"
        ))
    })?;
    if !reachable_safely(&url) {
        return Err(SsoError::Settings(format!(
            "the issuer {issuer:?} is not HTTPS: an identity provider is reached over HTTPS (plain HTTP only on this machine)"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(SsoError::Settings(format!(
            "the issuer {issuer:?} has a query or fragment: an issuer URL has neither"
        )));
    }
    IssuerUrl::new(issuer.to_owned())
        .map_err(|e| SsoError::Settings(format!("the issuer {issuer:?}: {e}")))
}

/// HTTPS, or plain HTTP to this machine.
fn reachable_safely(url: &url::Url) -> bool {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        None => false,
    };
    url.scheme() == "https" || (url.scheme() == "http" && loopback)
}

/// A provider as its discovery document and key set describe it.
#[derive(Clone, Debug)]
pub struct Provider {
    metadata: CoreProviderMetadata,
}

/// orgca as the provider's client.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    /// The client id the provider gave orgca.
    pub client_id: String,
    /// The client secret (read from a file or the environment; never logged).
    pub client_secret: String,
    /// Where the provider sends the browser back.
    pub redirect_url: String,
}

/// The secrets of one login that is under way, kept by the RA until the browser is back.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// The `state` (also the key under which the attempt is kept, as a hash).
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier.
    pub verifier: String,
}

impl Attempt {
    /// An attempt with this `state` (a fresh random value of the caller's, which also
    /// goes into a cookie), and a fresh nonce and PKCE verifier (256 bits each, from the
    /// library's CSPRNG).
    pub fn new(state: String) -> Self {
        Attempt {
            state,
            nonce: Nonce::new_random_len(32).secret().clone(),
            verifier: PkceCodeChallenge::new_random_sha256_len(32)
                .1
                .secret()
                .clone(),
        }
    }
}

/// Who the provider says logged in.
#[derive(Clone, Debug)]
pub struct Identity {
    /// `sub`.
    pub subject: String,
    /// The token's claims, all of them (read only after the signature was checked).
    claims: serde_json::Map<String, serde_json::Value>,
}

impl Identity {
    /// A claim that is a string (`email`, `oid`, `preferred_username`...).
    pub fn claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(|v| v.as_str())
    }

    /// Whether the provider says the `email` claim is verified: `email_verified` is
    /// `true` (or the string `"true"`, as some send it). Missing or anything else: no.
    pub fn email_verified(&self) -> bool {
        match self.claims.get("email_verified") {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }
}

impl Provider {
    /// Fetches the provider's discovery document and key set; the document's issuer must
    /// be exactly `issuer` (OpenID Connect Discovery 4.3).
    pub async fn discover(http: &Http, issuer: &str) -> Result<Provider, SsoError> {
        let issuer = issuer_url(issuer)?;
        let metadata = CoreProviderMetadata::discover_async(issuer, http)
            .await
            .map_err(|e| SsoError::Provider(chain(&e)))?;
        let Some(token) = metadata.token_endpoint() else {
            return Err(SsoError::Provider(
                "its discovery document names no token endpoint".into(),
            ));
        };
        // The endpoints orgca and the browser are sent to: each as safe as the issuer
        // (the client secret goes to the token endpoint).
        for (what, url) in [
            (
                "authorization endpoint",
                metadata.authorization_endpoint().url(),
            ),
            ("token endpoint", token.url()),
            ("key set (jwks_uri)", metadata.jwks_uri().url()),
        ] {
            if !reachable_safely(url) {
                return Err(SsoError::Provider(format!("its {what} {url} is not HTTPS")));
            }
        }
        Ok(Provider { metadata })
    }

    /// The issuer, as the provider names itself.
    pub fn issuer(&self) -> &str {
        self.metadata.issuer().as_str()
    }

    fn client(&self, settings: &ClientSettings) -> Result<Built, SsoError> {
        let redirect = RedirectUrl::new(settings.redirect_url.clone())
            .map_err(|e| SsoError::Settings(format!("the redirect URL: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            self.metadata.clone(),
            ClientId::new(settings.client_id.clone()),
            Some(ClientSecret::new(settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser: the authorization endpoint, asking for a code for
    /// `openid email profile`, with the attempt's state, nonce and PKCE challenge (S256).
    pub fn authorization_url(
        &self,
        settings: &ClientSettings,
        attempt: &Attempt,
    ) -> Result<String, SsoError> {
        let client = self.client(settings)?;
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            attempt.verifier.clone(),
        ));
        let (state, nonce) = (attempt.state.clone(), attempt.nonce.clone());
        let (url, _, _) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || Nonce::new(nonce),
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(url.to_string())
    }

    /// Redeems `code` at the token endpoint (client_secret_basic, with the attempt's
    /// PKCE `verifier`) and answers the ID token, not yet checked: see
    /// [`Provider::verify`].
    pub async fn redeem(
        &self,
        http: &Http,
        settings: &ClientSettings,
        verifier: &str,
        code: &str,
    ) -> Result<String, SsoError> {
        redeem(&self.client(settings)?, http, verifier, code).await
    }

    /// Checks an ID token: signature with the provider's keys (asymmetric algorithms
    /// only, never the client secret), issuer, audience (orgca's client id and no
    /// other), `azp` (orgca's, when present), expiry, issue time (not in the future,
    /// allowing 5 minutes of clock skew) and the attempt's `nonce`.
    pub fn verify(
        &self,
        client_id: &str,
        nonce: &str,
        id_token: &str,
    ) -> Result<Identity, SsoError> {
        verify(&self.metadata, client_id, nonce, id_token)
    }
}

/// A client built from the discovery document (its typestate: an authorization endpoint,
/// and a token and user-info endpoint where the document names them).
type Built = openidconnect::core::CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

async fn redeem(
    built: &Built,
    http: &Http,
    verifier: &str,
    code: &str,
) -> Result<String, SsoError> {
    let response = built
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| SsoError::Provider(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
        .request_async(http)
        .await
        .map_err(|e| SsoError::CodeRefused(chain(&e)))?;
    response
        .id_token()
        .map(|t| t.to_string())
        .ok_or_else(|| SsoError::TokenRefused("the token response holds no ID token".into()))
}

/// Clock skew allowed for an ID token's issue time.
const SKEW_SECONDS: i64 = 300;

fn verify(
    metadata: &CoreProviderMetadata,
    client_id: &str,
    nonce: &str,
    id_token: &str,
) -> Result<Identity, SsoError> {
    let token: CoreIdToken = id_token
        .parse()
        .map_err(|e| SsoError::TokenRefused(format!("it is no JWT: {e}")))?;
    // A public-client verifier: without the client secret, no HMAC key exists at all.
    let verifier = CoreIdTokenVerifier::new_public_client(
        ClientId::new(client_id.to_owned()),
        metadata.issuer().clone(),
        metadata.jwks().clone(),
    )
    .set_allowed_algs(ALGORITHMS)
    .set_other_audience_verifier_fn(|_| false)
    .set_issue_time_verifier_fn(|iat| {
        let ahead = iat.timestamp() - now_secs();
        if ahead > SKEW_SECONDS {
            Err(format!("issued {ahead} s in the future"))
        } else {
            Ok(())
        }
    });
    let claims = token
        .claims(&verifier, &Nonce::new(nonce.to_owned()))
        .map_err(|e| match e {
            ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            ) => SsoError::UnknownKey,
            e => SsoError::TokenRefused(chain(&e)),
        })?;
    if let Some(azp) = claims.authorized_party()
        && azp.as_str() != client_id
    {
        return Err(SsoError::TokenRefused(format!(
            "it was issued to another party (azp {})",
            azp.as_str()
        )));
    }
    let payload = id_token
        .split('.')
        .nth(1)
        .and_then(|p| Base64UrlUnpadded::decode_vec(p).ok())
        .and_then(|p| serde_json::from_slice::<serde_json::Value>(&p).ok())
        .and_then(|v| match v {
            serde_json::Value::Object(m) => Some(m),
            _ => None,
        })
        .ok_or_else(|| SsoError::TokenRefused("its claims are no JSON object".into()))?;
    Ok(Identity {
        subject: claims.subject().as_str().to_owned(),
        claims: payload,
    })
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// An error with its sources, for the operator's log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_must_be_https_unless_on_this_machine() {
        assert!(issuer_url("https://login.example.com/tenant/v2.0").is_ok());
        assert!(issuer_url("http://127.0.0.1:8080").is_ok());
        assert_eq!(
            issuer_url("https://x.auth0.com/").expect("ok").as_str(),
            "https://x.auth0.com/",
            "kept as given: issuers are compared as strings"
        );
        assert!(issuer_url("http://[::1]:8080").is_ok());
        for bad in [
            "http://login.example.com",
            "http://127.0.0.1.example.com",
            "ftp://127.0.0.1",
            "login.example.com",
            "https://login.example.com/?tenant=1",
        ] {
            let e = issuer_url(bad).expect_err(bad).to_string();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn attempts_are_fresh_and_long() {
        let (a, b) = (Attempt::new("a".into()), Attempt::new("b".into()));
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.verifier, b.verifier);
        assert!(
            a.verifier.len() >= 43,
            "RFC 7636 asks for 43 to 128 characters"
        );
    }
}
