//! Who is asking: the typed capability every RA operation takes. A [`Caller`] is made
//! only here, by authenticating an API token or a portal session, or by the operator's
//! CLI naming an organisation; it carries the one organisation it may act in, so that
//! every operation reads and writes that organisation's scope and nothing else.

use orgca_model::{OrgId, Role, User};
use orgca_store::{OperatorToken, OrgScope};
use uuid::Uuid;

use crate::{Ra, RaError};

/// Prefix of every user's API token, so that a leaked one is easy to recognise (secret
/// scanners).
pub const TOKEN_PREFIX: &str = "orgca_";

/// The prefix of operator tokens (so that a leaked one is recognised for what it is).
pub const OPERATOR_TOKEN_PREFIX: &str = "orgca_op_";

/// Tokens are at most 73 characters; anything much longer is not one of ours.
const MAX_TOKEN: usize = 256;

/// An authenticated caller, confined to one organisation. Its fields are private: only
/// the RA makes one.
#[derive(Clone, Debug)]
pub struct Caller {
    actor: Actor,
}

/// Who stands behind a [`Caller`].
#[derive(Clone, Debug)]
enum Actor {
    /// A user of the organisation, with their role (organisation administrator, user
    /// administrator, or member).
    User(User),
    /// An operator of orgca acting for one organisation, with the rights of its
    /// organisation administrator; no user of it.
    Operator(Operator),
}

/// An operator acting for one organisation.
#[derive(Clone, Debug)]
struct Operator {
    /// The organisation acted for.
    org_id: OrgId,
    /// The operator token's id (the actor in the audit trail); none for the operator's
    /// command line.
    token_id: Option<Uuid>,
    /// Who or what the token is for (`cli` for the command line).
    name: String,
}

impl Caller {
    pub(crate) fn user(user: User) -> Caller {
        Caller {
            actor: Actor::User(user),
        }
    }

    pub(crate) fn operator(org_id: OrgId, op: Option<OperatorToken>) -> Caller {
        let (token_id, name) = match op {
            Some(op) => (Some(op.id), op.name),
            None => (None, "cli".to_owned()),
        };
        Caller {
            actor: Actor::Operator(Operator {
                org_id,
                token_id,
                name,
            }),
        }
    }

    /// The organisation it acts in.
    pub fn org_id(&self) -> OrgId {
        match &self.actor {
            Actor::User(u) => u.org_id,
            Actor::Operator(o) => o.org_id,
        }
    }

    /// Its role in the organisation: an operator acts as an organisation administrator.
    pub fn role(&self) -> Role {
        match &self.actor {
            Actor::User(u) => u.role,
            Actor::Operator(_) => Role::OrgAdmin,
        }
    }

    /// The user, when a user (not an operator) calls.
    pub fn as_user(&self) -> Option<&User> {
        match &self.actor {
            Actor::User(u) => Some(u),
            Actor::Operator(_) => None,
        }
    }

    /// Whether the caller is the user with this id.
    pub fn is_user(&self, id: Uuid) -> bool {
        self.as_user().is_some_and(|u| u.id == id)
    }

    /// The id the audit trail names as the actor: the user's, or the operator token's.
    pub fn actor_id(&self) -> String {
        match &self.actor {
            Actor::User(u) => u.id.to_string(),
            Actor::Operator(o) => o
                .token_id
                .map_or_else(|| "operator".into(), |id| id.to_string()),
        }
    }

    /// How messages name the caller: "Given Surname <address>", or the operator.
    pub fn display_name(&self) -> String {
        match &self.actor {
            Actor::User(u) => format!("{} {} <{}>", u.given_name, u.surname, u.email),
            Actor::Operator(o) => format!("the operator ({})", o.name),
        }
    }

    /// Refused unless a user or organisation administrator calls.
    pub(crate) fn require_admin(&self) -> Result<(), RaError> {
        if self.role().administers_users() {
            Ok(())
        } else {
            Err(RaError::Forbidden(
                "this needs a user or organisation administrator".into(),
            ))
        }
    }

    /// Refused unless an organisation administrator calls.
    pub(crate) fn require_org_admin(&self, what: &str) -> Result<(), RaError> {
        if self.role() == Role::OrgAdmin {
            Ok(())
        } else {
            Err(RaError::Forbidden(format!(
                "only an organisation administrator {what}"
            )))
        }
    }
}

/// Why a token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum TokenRefused {
    /// No token, or one that cannot be ours.
    #[error("send an API token: `Authorization: Bearer orgca_...`")]
    Missing,
    /// Unknown, revoked, or its user is not active.
    #[error("the API token is not valid: unknown, revoked, or its user is not active")]
    NotValid,
    /// An operator token without the organisation it acts for.
    #[error(
        "an operator token acts for one organisation per request: send its CVR in the `Orgca-Organisation` header"
    )]
    OrganisationRequired,
    /// An operator token naming an organisation that does not exist.
    #[error("no organisation with CVR {0:?}")]
    UnknownOrganisation(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] orgca_store::StoreError),
}

impl Ra {
    /// The organisation's scope of `caller`: the only store view an operation on its
    /// behalf reads or writes.
    pub(crate) fn scope(&self, caller: &Caller) -> OrgScope {
        self.store.org(caller.org_id())
    }

    /// The caller behind an API token. A user's token names its user; an operator token
    /// acts for the organisation whose CVR `organisation` gives, as its administrator.
    /// The token is looked up by its SHA-256: it is never stored, logged or compared.
    pub async fn authenticate_token(
        &self,
        token: Option<&str>,
        organisation: Option<&str>,
    ) -> Result<Caller, TokenRefused> {
        let token = token
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN)
            .ok_or(TokenRefused::Missing)?;
        let hash = crate::token_hash(token);
        let tokens = self.store.tokens();
        if !token.starts_with(OPERATOR_TOKEN_PREFIX) {
            return tokens
                .authenticate(hash)
                .await?
                .map(Caller::user)
                .ok_or(TokenRefused::NotValid);
        }
        let op = tokens
            .authenticate_operator(hash)
            .await?
            .ok_or(TokenRefused::NotValid)?;
        let cvr = organisation
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(TokenRefused::OrganisationRequired)?;
        let org = self
            .store
            .orgs()
            .by_cvr(cvr)
            .await?
            .ok_or_else(|| TokenRefused::UnknownOrganisation(cvr.to_owned()))?;
        tracing::info!(operator = %op.id, name = %op.name, cvr = %org.cvr, "operator request");
        Ok(Caller::operator(org.id, Some(op)))
    }

    /// The operator's command line acting for the organisation with this CVR.
    pub async fn operator_cli(&self, cvr: &str) -> Result<Caller, RaError> {
        let org = self.organisation_by_cvr(cvr).await?;
        Ok(Caller::operator(org.id, None))
    }

    /// The organisation with this CVR (operator); an unknown one is refused.
    pub(crate) async fn organisation_by_cvr(
        &self,
        cvr: &str,
    ) -> Result<orgca_model::Organisation, RaError> {
        self.find_organisation(cvr)
            .await?
            .ok_or_else(|| RaError::UnknownOrganisation(cvr.trim().to_owned()))
    }
}
