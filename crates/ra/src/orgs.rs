//! Creating organisations (operator).

use orgca_model::UnixTime;
use orgca_model::{Cvr, Environment, Organisation};
use orgca_store::NewOrganisation;

use crate::{Ra, RaError};

/// Upper bound of organizationName in X.520.
const MAX_ORG_NAME: usize = 64;

impl Ra {
    /// Creates an organisation (operator): production CVRs must pass mod-11, test ones need
    /// not; a CVR can be used once. Needs no CA.
    pub async fn create_organisation(
        &self,
        cvr: &str,
        name: &str,
        environment: Environment,
        actor: &str,
        now: UnixTime,
    ) -> Result<Organisation, RaError> {
        let cvr = Cvr::parse(cvr, environment)?;
        let name = orgca_model::parse_text("the organisation's name", name, MAX_ORG_NAME)?;
        let new = NewOrganisation {
            cvr,
            name,
            environment,
        };
        Ok(self.store.orgs().create(&new, actor, now).await?)
    }

    /// The organisation with this CVR, if any (operator).
    pub async fn find_organisation(&self, cvr: &str) -> Result<Option<Organisation>, RaError> {
        Ok(self.store.orgs().by_cvr(cvr.trim()).await?)
    }
}

/// Refuses a certificate of `kind` when the organisation has switched that kind off
/// (user certificates for employees, organisation certificates for the other kinds):
/// checked when an order is placed and again when it is picked up.
pub(crate) fn require_kind_on(
    org: &orgca_model::Organisation,
    kind: orgca_model::CertKind,
) -> Result<(), RaError> {
    let (on, what) = match kind {
        orgca_model::CertKind::Employee => (org.settings.user_certificates, "user"),
        _ => (org.settings.organisation_certificates, "organisation"),
    };
    if on {
        Ok(())
    } else {
        Err(RaError::NotNow(format!(
            "{what} certificates are switched off for this organisation: an organisation \
             administrator switches them on (PATCH /api/v1/organisation)"
        )))
    }
}
