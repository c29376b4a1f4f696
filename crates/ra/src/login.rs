//! Portal login: passwords (argon2id), sessions with their CSRF tokens, limits on failed
//! tries per account and per client address, and the one-time links that let a user set
//! a password (invitations).
//!
//! Unknown account, wrong password, no password yet and a deactivated user all get the
//! same answer, after the same work (a password hash is always verified), so that the
//! login form does not tell which addresses have accounts.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use orgca_model::UnixTime;
use orgca_model::{Email, User, UserStatus};
use orgca_store::logins::account_key;
use orgca_store::{Account, FailureLimit, LoginMethod, NewMail};
use tokio::sync::Semaphore;

use crate::{Caller, LoginRefusal, Ra, RaError};

/// The shortest password accepted (NIST SP 800-63B asks for at least 8; orgca guards
/// certificates, so 12).
pub const MIN_PASSWORD: usize = 12;
/// The longest password accepted (argon2 would take more, but nobody types this much).
pub const MAX_PASSWORD: usize = 256;

/// How logins are limited and how long sessions and links last.
#[derive(Clone, Copy, Debug)]
pub struct LoginPolicy {
    /// Failed logins per account.
    pub per_account: FailureLimit,
    /// Failed logins per client address.
    pub per_address: FailureLimit,
    /// How long a session lasts, in seconds.
    pub session: i64,
    /// How long a password link works, in seconds.
    pub link: i64,
}

impl Default for LoginPolicy {
    /// 5 failures in 15 minutes lock an account for 15 minutes; 20 lock an address;
    /// sessions last 8 hours (a working day); links 7 days.
    fn default() -> Self {
        LoginPolicy {
            per_account: FailureLimit {
                allowed: 5,
                window: 900,
                lock: 900,
            },
            per_address: FailureLimit {
                allowed: 20,
                window: 900,
                lock: 900,
            },
            session: 8 * 3600,
            link: 7 * 86_400,
        }
    }
}

/// A session just started: the cookie value (shown to the browser once, stored only as
/// a hash) and its CSRF token.
#[derive(Debug)]
pub struct NewSession {
    /// The cookie value.
    pub cookie: String,
    /// The CSRF token every form of the session carries.
    pub csrf: String,
    /// Who logged in.
    pub user: User,
}

/// What a person types to log in.
#[derive(Clone, Copy, Debug)]
pub struct Credentials<'a> {
    /// The e-mail address.
    pub email: &'a str,
    /// The password (never logged).
    pub password: &'a str,
    /// The CVR number of the organisation to log in to: asked for only when the address
    /// and password fit accounts in several organisations.
    pub organisation: Option<&'a str>,
}

impl Ra {
    /// Logs a user in from `address` (the client's IP).
    ///
    /// An address may be a user in several organisations (it is unique within each), so
    /// the password is checked against every account with the address, and the one it
    /// opens is logged in. Should it open several, the person names the organisation
    /// ([`LoginRefusal::WhichOrganisation`]). The work grows with the number of accounts
    /// that share the address, which is almost always one.
    pub async fn login(
        &self,
        credentials: Credentials<'_>,
        address: &str,
        now: UnixTime,
    ) -> Result<NewSession, RaError> {
        let Credentials {
            email,
            password,
            organisation,
        } = credentials;
        let policy = &self.logins;
        let logins = self.store.logins();
        // Something that is no e-mail address names no account, and never reaches the
        // database; it still costs a hash and counts against the client's address.
        let email = Email::parse(email.trim())
            .ok()
            .filter(|_| password.len() <= MAX_PASSWORD);
        let account_key = email.as_ref().map(|e| account_key(e.as_str()));
        let address_key = format!("address:{address}");
        // Every attempt is counted before it is checked, so that parallel attempts cannot
        // pass the limits together; a good login takes its count back.
        let mut allowed = logins
            .count_attempt(&address_key, policy.per_address, now)
            .await?;
        if let Some(key) = &account_key {
            allowed &= logins.count_attempt(key, policy.per_account, now).await?;
        }
        if !allowed {
            // For the operator's log (never the password; the address as typed is
            // what an attack on one account shows).
            tracing::warn!(
                client = address,
                account = email.as_ref().map(|e| e.as_str()),
                "login refused: too many failed logins (locked out for now)"
            );
            return Err(LoginRefusal::TooMany.into());
        }
        let accounts = match &email {
            Some(e) => logins.accounts(e.as_str()).await?,
            None => Vec::new(),
        };
        let known = !accounts.is_empty();
        // An account of an organisation that has switched passwords off is no password
        // account: its password is not even checked (a right one would tell whoever
        // typed it so), and the answer is the one for a wrong password.
        let accounts: Vec<Account> = accounts.into_iter().filter(|a| a.password_login).collect();
        let opened = opened_accounts(password, accounts).await?;
        let wanted = match organisation.map(str::trim).filter(|o| !o.is_empty()) {
            Some(cvr) => self.find_organisation(cvr).await?.map(|o| o.id),
            None => None,
        };
        let chosen: Vec<&User> = opened
            .iter()
            .filter(|u| wanted.is_none_or(|org| u.org_id == org))
            .collect();
        let user = match (chosen.as_slice(), opened.as_slice()) {
            (_, [only]) => only.clone(),
            ([user], _) => (*user).clone(),
            (_, []) => {
                tracing::warn!(
                    client = address,
                    account = email.as_ref().map(|e| e.as_str()),
                    why = if known {
                        "wrong password, the account is not active, or its organisation has switched passwords off"
                    } else {
                        "no such account"
                    },
                    "login refused"
                );
                return Err(LoginRefusal::Wrong.into());
            }
            // The password is right: the person picks the organisation (or typed its
            // CVR wrong). Nothing here counts as a failure.
            _ => {
                if let Some(key) = &account_key {
                    logins.clear_failures(key).await?;
                }
                logins.forgive(&address_key, now).await?;
                return Err(LoginRefusal::WhichOrganisation.into());
            }
        };
        if let Some(key) = &account_key {
            logins.clear_failures(key).await?;
        }
        logins.forgive(&address_key, now).await?;
        self.start_session(user, LoginMethod::Password, now).await
    }

    /// Starts a portal session for `user`, who has just proven who they are.
    pub(crate) async fn start_session(
        &self,
        user: User,
        method: LoginMethod,
        now: UnixTime,
    ) -> Result<NewSession, RaError> {
        let cookie = new_secret()?;
        let csrf = new_secret()?;
        self.store
            .logins()
            .start_session(
                crate::token_hash(&cookie),
                &user,
                method,
                &csrf,
                now,
                now.plus_secs(self.logins.session),
            )
            .await?;
        tracing::info!(user = %user.id, method = method.as_str(), "portal login");
        Ok(NewSession { cookie, csrf, user })
    }

    /// The caller and CSRF token of a session cookie, if it is current.
    pub async fn session(
        &self,
        cookie: &str,
        now: UnixTime,
    ) -> Result<Option<(Caller, String)>, RaError> {
        Ok(self
            .store
            .logins()
            .session(crate::token_hash(cookie), now)
            .await?
            .map(|(user, csrf)| (Caller::user(user), csrf)))
    }

    /// Ends the session of a cookie.
    pub async fn logout(&self, cookie: &str) -> Result<(), RaError> {
        Ok(self
            .store
            .logins()
            .end_session(crate::token_hash(cookie))
            .await?)
    }

    /// Mails a user of the caller's organisation a one-time link to set their password (an
    /// invitation, or a reset): administrators only. Answers the user.
    pub async fn send_password_link(
        &self,
        caller: &Caller,
        user_id: uuid::Uuid,
        now: UnixTime,
    ) -> Result<User, RaError> {
        caller.require_admin()?;
        let user = self.user(caller, user_id).await?;
        self.mail_password_link(&user, &caller.actor_id(), now)
            .await?;
        Ok(user)
    }

    /// The operator mails the user with this address (of the organisation with CVR
    /// `organisation`, needed when several have a user with it) a password link; answers
    /// the user and the link (for the operator's CLI; never logged).
    pub async fn operator_password_link(
        &self,
        email: &str,
        organisation: Option<&str>,
        now: UnixTime,
    ) -> Result<(User, String), RaError> {
        let user = self.operator_user_by_email(email, organisation).await?;
        let link = self.mail_password_link(&user, "operator", now).await?;
        Ok((user, link))
    }

    async fn mail_password_link(
        &self,
        user: &User,
        actor: &str,
        now: UnixTime,
    ) -> Result<String, RaError> {
        let (orders, policy, store) = (&self.orders, &self.logins, &self.store);
        if user.status.has_ended() {
            return Err(RaError::Invalid(format!(
                "this user is {}: an active user gets password links",
                user.status.as_str()
            )));
        }
        let token = new_secret()?;
        let link = format!("{}/portal/password/{token}", orders.public_base_url);
        let mail = NewMail {
            recipient: user.email.clone(),
            subject: "Set your orgca password".into(),
            body: format!(
                "Hello {},\n\nset your password for the orgca portal here:\n\n{link}\n\n\
             The link works once and for 7 days. If you did not expect it, ignore this message.\n",
                user.given_name
            ),
        };
        store
            .logins()
            .create_password_link(
                user,
                crate::token_hash(&token),
                &[mail],
                actor,
                now,
                now.plus_secs(policy.link),
            )
            .await?;
        Ok(link)
    }

    /// The user a password link is for, if it still works.
    pub async fn password_link_user(
        &self,
        token: &str,
        now: UnixTime,
    ) -> Result<Option<User>, RaError> {
        Ok(self
            .store
            .logins()
            .password_link(crate::token_hash(token), now)
            .await?)
    }

    /// Sets a password through a one-time link; the user's other sessions end.
    pub async fn set_password(
        &self,
        token: &str,
        password: &str,
        repeated: &str,
        now: UnixTime,
    ) -> Result<User, RaError> {
        check_password(password, repeated)?;
        let hash = hash_password(password.to_owned()).await?;
        self.store
            .logins()
            .set_password_by_link(crate::token_hash(token), &hash, now)
            .await?
            .ok_or_else(|| {
                RaError::Invalid(
                    "this link has been used or has expired: ask your administrator for a new one"
                        .into(),
                )
            })
    }
}

/// The password rules, with what to do when one is broken.
pub fn check_password(password: &str, repeated: &str) -> Result<(), RaError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(RaError::Invalid(format!(
            "the password has {n} characters: use at least {MIN_PASSWORD} (a few words make a good one)"
        )));
    }
    if password.len() > MAX_PASSWORD {
        return Err(RaError::Invalid(format!(
            "the password is longer than {MAX_PASSWORD} bytes: use a shorter one"
        )));
    }
    if password != repeated {
        return Err(RaError::Invalid(
            "the two passwords differ: type the same password twice".into(),
        ));
    }
    Ok(())
}

/// At most this many argon2 computations at once (19 MiB each): a flood of logins waits
/// for its turn instead of taking the machine's memory.
static HASHING: Semaphore = Semaphore::const_new(4);

/// argon2id (the crate's defaults: 19 MiB, 2 passes, OWASP's recommendation) on a
/// blocking thread.
async fn hash_password(password: String) -> Result<String, RaError> {
    let _turn = HASHING
        .acquire()
        .await
        .map_err(|e| RaError::internal("waiting to hash a password", e))?;
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        aws_lc_rs::rand::fill(&mut salt).map_err(|_| RaError::no_randomness())?;
        let salt = SaltString::encode_b64(&salt)
            .map_err(|e| RaError::internal("encoding a salt", e.to_string()))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| RaError::internal("hashing the password", e.to_string()))
    })
    .await
    .map_err(|e| RaError::internal("the password hashing task", e))?
}

/// The active accounts that `password` opens (a hash is always verified, once per
/// account and at least once, so that an address without accounts costs the same work).
async fn opened_accounts(password: &str, accounts: Vec<Account>) -> Result<Vec<User>, RaError> {
    if accounts.is_empty() {
        verify(password.to_owned(), None).await?;
        return Ok(Vec::new());
    }
    let mut opened = Vec::new();
    for account in accounts {
        if verify(password.to_owned(), account.password_hash).await?
            && account.user.status == UserStatus::Active
        {
            opened.push(account.user);
        }
    }
    Ok(opened)
}

async fn verify(password: String, hash: Option<String>) -> Result<bool, RaError> {
    let _turn = HASHING
        .acquire()
        .await
        .map_err(|e| RaError::internal("waiting to verify a password", e))?;
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match &hash {
            Some(h) => (h.as_str(), true),
            None => (DUMMY_HASH, false),
        };
        let parsed = PasswordHash::new(phc)
            .map_err(|e| RaError::internal("reading a stored password hash", e.to_string()))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && real)
    })
    .await
    .map_err(|e| RaError::internal("the password verifying task", e))?
}

/// An argon2id hash with the default parameters that no known password matches.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3TaEzPoDsH5bTuxqD2rQHWgM1WzBEz5Nbs9vVXwxb3w";

/// A fresh secret (256 bits, hex): session cookies, CSRF and form tokens, link tokens.
pub fn new_secret() -> Result<String, RaError> {
    crate::tokens::new_token("")
}

/// Whether two tokens are equal, in time that does not depend on where they differ.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), given.as_bytes()).is_ok()
}
