//! Logging in through the organisation's identity provider (OpenID Connect), and the
//! operator's settings for it. A login is started for one organisation (by CVR number);
//! the person the provider vouches for is looked for among that organisation's users
//! only, so a login through one organisation's provider never reaches another's data.
//!
//! The client secret is read from its file or environment variable at each use and
//! never logged; a provider's discovery document and keys are kept for five minutes and
//! fetched again at once when a token is signed with a key they lack.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use orgca_model::{IdentityProvider, MatchBy, Organisation, SecretSource, UnixTime, UserStatus};
use orgca_sso::{Attempt, ClientSettings, Http, Identity, Provider, SsoError};
use orgca_store::{FailureLimit, LoginMethod, PendingSso};

use crate::login::NewSession;
use crate::{LoginRefusal, Ra, RaError};

/// How long a login may take at the provider.
const ATTEMPT_SECONDS: i64 = 600;
/// How long a provider's discovery document and keys are kept.
const PROVIDER_KEPT: Duration = Duration::from_secs(300);
/// Logins started from one client address: 100 in 15 minutes that do not come back
/// (each that comes back good is taken back), then 15 minutes' wait.
const STARTS: FailureLimit = FailureLimit {
    allowed: 100,
    window: 900,
    lock: 900,
};
/// The longest authorization code passed on to a provider.
const MAX_CODE: usize = 2048;
/// The longest client secret read.
const MAX_SECRET: usize = 4096;

/// Where the provider sends the browser back, under the portal's address: one address
/// per organisation, so that a code meant for one organisation's login can never finish
/// another's (the mix-up of RFC 9700 4.4).
pub fn return_path(cvr: &str) -> String {
    format!("/portal/login/sso/back/{cvr}")
}

/// The HTTP client, and the providers fetched lately (by issuer).
#[derive(Debug, Default)]
pub(crate) struct Providers {
    http: Mutex<Option<Http>>,
    kept: Mutex<HashMap<String, (Instant, Provider)>>,
}

/// What the operator sets for an organisation's provider.
#[derive(Clone, Debug)]
pub struct ProviderSettings {
    /// The issuer URL.
    pub issuer: String,
    /// orgca's client id there.
    pub client_id: String,
    /// Where the client secret is.
    pub client_secret: SecretSource,
    /// How people are found among the organisation's users.
    pub match_by: MatchBy,
    /// Whether passwords still work too.
    pub password_login: bool,
}

/// How an organisation's people log in (for the login page and the portal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginMethods {
    /// Through the organisation's identity provider (its issuer), if it has one.
    pub identity_provider: Option<String>,
    /// With an address and password.
    pub password: bool,
}

/// A login sent to the provider: where the browser goes, and the state it must bring
/// back in a cookie as well as in the URL (so that nobody can hand a victim a login of
/// their own).
#[derive(Debug)]
pub struct SsoStart {
    /// The provider's authorization URL.
    pub url: String,
    /// The `state` (for the cookie).
    pub state: String,
}

/// What the browser brings back from the provider.
#[derive(Debug)]
pub struct SsoReturn<'a> {
    /// The CVR number in the return address.
    pub organisation: &'a str,
    /// `state` from the URL.
    pub state: &'a str,
    /// `iss` from the URL (RFC 9207), when the provider sends it.
    pub issuer: Option<&'a str>,
    /// `state` from the cookie set when the login started, if the browser sent it.
    pub cookie_state: Option<&'a str>,
    /// `code`, or the provider's `error` when it has none.
    pub code: Result<&'a str, &'a str>,
}

impl Ra {
    /// How the organisation's people log in.
    pub async fn login_methods(&self, org: &Organisation) -> Result<LoginMethods, RaError> {
        let provider = self.store.logins().identity_provider(org.id).await?;
        Ok(LoginMethods {
            password: provider.as_ref().is_none_or(|p| p.password_login),
            identity_provider: provider.map(|p| p.issuer),
        })
    }

    /// The operator gives organisation `cvr` an identity provider. The secret is read
    /// and the provider fetched first, so that settings that cannot work are refused now
    /// rather than at someone's login.
    pub async fn set_identity_provider(
        &self,
        cvr: &str,
        settings: ProviderSettings,
        now: UnixTime,
    ) -> Result<IdentityProvider, RaError> {
        let org = self.operator_org(cvr).await?;
        if settings.client_id.trim().is_empty() || settings.client_id.len() > 256 {
            return Err(RaError::Invalid(
                "the client id is empty or longer than 256 characters: give the one the provider shows for orgca".into(),
            ));
        }
        read_secret(&settings.client_secret)?;
        let provider = self
            .provider(&settings.issuer, true)
            .await
            .map_err(|e| RaError::Invalid(e.to_string()))?;
        let saved = IdentityProvider {
            org_id: org.id,
            issuer: provider.issuer().to_owned(),
            client_id: settings.client_id.trim().to_owned(),
            client_secret: settings.client_secret,
            match_by: settings.match_by,
            password_login: settings.password_login,
            updated_at: now,
        };
        self.store
            .logins()
            .set_identity_provider(&saved, "operator")
            .await?;
        Ok(saved)
    }

    /// The organisation and its identity provider, if it has one (for the operator).
    pub async fn identity_provider(
        &self,
        cvr: &str,
    ) -> Result<(Organisation, Option<IdentityProvider>), RaError> {
        let org = self.operator_org(cvr).await?;
        let provider = self.store.logins().identity_provider(org.id).await?;
        Ok((org, provider))
    }

    /// The operator takes the organisation's identity provider away (passwords work
    /// again); answers whether it had one.
    pub async fn remove_identity_provider(
        &self,
        cvr: &str,
        now: UnixTime,
    ) -> Result<bool, RaError> {
        let org = self.operator_org(cvr).await?;
        Ok(self
            .store
            .logins()
            .remove_identity_provider(org.id, "operator", now)
            .await?)
    }

    async fn operator_org(&self, cvr: &str) -> Result<Organisation, RaError> {
        self.find_organisation(cvr)
            .await?
            .ok_or(RaError::NotFound("organisation"))
    }

    /// Starts a login through the identity provider of the organisation with CVR `cvr`,
    /// from client `address`.
    pub async fn begin_sso(
        &self,
        cvr: &str,
        address: &str,
        now: UnixTime,
    ) -> Result<SsoStart, RaError> {
        let logins = self.store.logins();
        let org = self
            .find_organisation(cvr)
            .await?
            .ok_or(LoginRefusal::NoProvider)?;
        let saved = logins
            .identity_provider(org.id)
            .await?
            .ok_or(LoginRefusal::NoProvider)?;
        if !logins
            .count_attempt(&start_key(address), STARTS, now)
            .await?
        {
            tracing::warn!(
                client = address,
                "identity provider login refused: too many started"
            );
            return Err(LoginRefusal::TooMany.into());
        }
        let provider = self
            .provider(&saved.issuer, false)
            .await
            .map_err(|e| provider_failed(&org, &e))?;
        let attempt = Attempt::new(crate::login::new_secret()?);
        let client = self.client_settings(&org, &saved)?;
        let url = provider
            .authorization_url(&client, &attempt)
            .map_err(|e| provider_failed(&org, &e))?;
        let pending = PendingSso {
            org_id: org.id,
            issuer: saved.issuer,
            client_id: saved.client_id,
            nonce: attempt.nonce,
            verifier: attempt.verifier,
        };
        logins
            .begin_sso(
                crate::token_hash(&attempt.state),
                &pending,
                now,
                now.plus_secs(ATTEMPT_SECONDS),
            )
            .await?;
        Ok(SsoStart {
            url,
            state: attempt.state,
        })
    }

    /// Finishes a login through an identity provider. The browser must bring back the
    /// state in its cookie as well as in the URL (checked before anything else, and
    /// before anything is counted: a page elsewhere that makes browsers fetch the return
    /// address cannot lock anyone out). Then the state is taken (it works once), the
    /// return address must be that of the organisation the login was started for and the
    /// provider still the one it was sent to, the code is redeemed, the ID token checked,
    /// and the person looked for among that organisation's users. Every failure after
    /// the cookie counts against the client's address, as a wrong password does.
    pub async fn finish_sso(
        &self,
        back: SsoReturn<'_>,
        address: &str,
        now: UnixTime,
    ) -> Result<NewSession, RaError> {
        let refuse = |why: &str| {
            tracing::warn!(client = address, why, "identity provider login refused");
            RaError::from(LoginRefusal::ProviderFailed)
        };
        let same_browser = back.state.len() <= 128
            && back
                .cookie_state
                .is_some_and(|c| crate::login::tokens_match(back.state, c));
        if !same_browser {
            return Err(refuse(
                "the state is not this browser's (no or another cookie)",
            ));
        }
        let logins = self.store.logins();
        let address_key = format!("address:{address}");
        if !logins
            .count_attempt(&address_key, self.logins.per_address, now)
            .await?
        {
            tracing::warn!(
                client = address,
                "identity provider login refused: too many failed logins"
            );
            return Err(LoginRefusal::TooMany.into());
        }
        let Some(pending) = logins.take_sso(crate::token_hash(back.state), now).await? else {
            return Err(refuse("unknown, used or expired state"));
        };
        let org = self.store.org(pending.org_id).organisation().await?;
        if org.cvr.as_str() != back.organisation {
            return Err(refuse(
                "came back to another organisation's return address (a mix-up)",
            ));
        }
        let code = back.code.map_err(|error| {
            let error: String = error.chars().take(64).collect();
            tracing::warn!(
                client = address,
                error,
                "the identity provider sent an error back"
            );
            RaError::from(LoginRefusal::ProviderFailed)
        })?;
        if code.is_empty() || code.len() > MAX_CODE {
            return Err(refuse("the code is empty or too long"));
        }
        let saved = logins
            .identity_provider(org.id)
            .await?
            .filter(|p| p.issuer == pending.issuer && p.client_id == pending.client_id)
            .ok_or_else(|| refuse("the organisation's identity provider changed meanwhile"))?;
        if back.issuer.is_some_and(|iss| iss != saved.issuer) {
            return Err(refuse(
                "the iss of the response is not the organisation's provider (a mix-up)",
            ));
        }
        let identity = self.identity(&org, &saved, &pending, code).await?;
        let value = match &saved.match_by {
            MatchBy::Email if !identity.email_verified() => {
                return Err(not_a_user(
                    address,
                    &org,
                    &identity,
                    "email_verified is not true",
                ));
            }
            MatchBy::Email => identity.claim("email"),
            MatchBy::ExternalId(claim) => identity.claim(claim),
        };
        // Addresses and external ids are ASCII here; anything else names nobody (and
        // never reaches a case-folding comparison that would read it otherwise).
        let value = value.filter(|v| !v.is_empty() && v.len() <= 256 && v.is_ascii());
        let user = match value {
            Some(v) => logins.sso_account(org.id, &saved.match_by, v).await?,
            None => None,
        };
        let Some(user) = user.filter(|u| u.status == UserStatus::Active) else {
            return Err(not_a_user(
                address,
                &org,
                &identity,
                "the person is no active user of the organisation",
            ));
        };
        logins.forgive(&address_key, now).await?;
        logins.forgive(&start_key(address), now).await?;
        self.start_session(user, LoginMethod::IdentityProvider, now)
            .await
    }

    /// Redeems the code and checks the ID token (once more with the provider fetched
    /// again, when the token's key is new to us).
    async fn identity(
        &self,
        org: &Organisation,
        saved: &IdentityProvider,
        pending: &PendingSso,
        code: &str,
    ) -> Result<Identity, RaError> {
        let client = self.client_settings(org, saved)?;
        let http = self.http()?;
        let failed = |e: SsoError| provider_failed(org, &e);
        let provider = self.provider(&saved.issuer, false).await.map_err(failed)?;
        let token = provider
            .redeem(&http, &client, &pending.verifier, code)
            .await
            .map_err(failed)?;
        match provider.verify(&saved.client_id, &pending.nonce, &token) {
            Err(SsoError::UnknownKey) => self
                .provider(&saved.issuer, true)
                .await
                .map_err(failed)?
                .verify(&saved.client_id, &pending.nonce, &token),
            checked => checked,
        }
        .map_err(failed)
    }

    fn client_settings(
        &self,
        org: &Organisation,
        saved: &IdentityProvider,
    ) -> Result<ClientSettings, RaError> {
        Ok(ClientSettings {
            client_id: saved.client_id.clone(),
            client_secret: read_secret(&saved.client_secret)?,
            redirect_url: format!(
                "{}{}",
                self.orders.public_base_url,
                return_path(org.cvr.as_str())
            ),
        })
    }

    fn http(&self) -> Result<Http, RaError> {
        let mut http = self
            .providers
            .http
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(h) = &*http {
            return Ok(h.clone());
        }
        let made = Http::new().map_err(|e| RaError::internal("the HTTP client", e))?;
        *http = Some(made.clone());
        Ok(made)
    }

    /// The provider with this issuer: as kept, or fetched (always, with `fresh`).
    async fn provider(&self, issuer: &str, fresh: bool) -> Result<Provider, SsoError> {
        if !fresh {
            let kept = self
                .providers
                .kept
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if let Some((at, p)) = kept.get(issuer)
                && at.elapsed() < PROVIDER_KEPT
            {
                return Ok(p.clone());
            }
        }
        let http = self.http().map_err(|e| SsoError::Settings(e.to_string()))?;
        let provider = Provider::discover(&http, issuer).await?;
        let mut kept = self
            .providers
            .kept
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        kept.retain(|_, (at, _)| at.elapsed() < PROVIDER_KEPT);
        kept.insert(issuer.to_owned(), (Instant::now(), provider.clone()));
        Ok(provider)
    }
}

fn start_key(address: &str) -> String {
    format!("sso-start:{address}")
}

/// A provider that could not be used, or whose answer was refused: the operator's log
/// says why, the person gets the one message.
fn provider_failed(org: &Organisation, e: &SsoError) -> RaError {
    tracing::warn!(org = %org.id, error = %e, "identity provider login refused");
    RaError::from(LoginRefusal::ProviderFailed)
}

/// The provider vouched for someone who is no active user of the organisation.
fn not_a_user(address: &str, org: &Organisation, identity: &Identity, why: &str) -> RaError {
    tracing::warn!(
        client = address,
        org = %org.id,
        subject = identity.subject,
        why,
        "identity provider login refused: no active user of the organisation"
    );
    RaError::from(LoginRefusal::NotAUser)
}

/// Reads the client secret from where it is kept (never logged).
fn read_secret(source: &SecretSource) -> Result<String, RaError> {
    let secret = match source {
        SecretSource::File(path) => std::fs::read_to_string(path).map_err(|e| {
            RaError::Invalid(format!(
                "the client secret file {} cannot be read ({e}): orgca reads it at each login",
                path.display()
            ))
        })?,
        SecretSource::Env(name) => std::env::var(name).map_err(|_| {
            RaError::Invalid(format!(
                "the environment variable {name} that should hold the client secret is not set (or not UTF-8) in orgca's environment"
            ))
        })?,
    };
    let secret = secret.trim();
    if secret.is_empty() || secret.len() > MAX_SECRET {
        return Err(RaError::Invalid(format!(
            "the client secret ({}) is empty or longer than {MAX_SECRET} bytes",
            source.to_stored()
        )));
    }
    Ok(secret.to_owned())
}
