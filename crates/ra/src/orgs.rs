//! Creating organisations (operator).

use orgca_model::{Cvr, Environment};
use orgca_store::{NewOrganisation, Organisation, Store};

use crate::RaError;

/// Upper bound of organizationName in X.520.
const MAX_ORG_NAME: usize = 64;

/// Creates an organisation (operator): production CVRs must pass mod-11, test ones need
/// not; a CVR can be used once. Needs no CA.
pub async fn create_organisation(
    store: &Store,
    cvr: &str,
    name: &str,
    environment: Environment,
    actor: &str,
    now: i64,
) -> Result<Organisation, RaError> {
    let cvr = Cvr::parse(cvr, environment)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_ORG_NAME || name.chars().any(char::is_control)
    {
        return Err(RaError::Invalid(format!(
            "the organisation's name must be 1 to {MAX_ORG_NAME} printable characters"
        )));
    }
    let new = NewOrganisation {
        cvr,
        name: name.to_owned(),
        environment,
    };
    Ok(store.orgs().create(&new, actor, now).await?)
}
