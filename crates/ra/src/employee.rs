//! Employee certificates: ordered by an administrator for an active user, picked up by
//! that user after logging in (docs/DOMAIN.md: "fetched by the user after login"). The
//! certificate names the person and shows their e-mail address, validated first.

use orgca_model::UnixTime;
use orgca_model::{CertName, Email, Identification, OrderSubject, PersonName, UserStatus};
use orgca_pki::profile::{Holder, LeafSubject};
use orgca_store::NewMail;
use uuid::Uuid;

use crate::delivery::{self, Delivered, KeySource};
use crate::orders::{AddressProof, OrderPlan, OrderRequest, Placed, address_proof, check_pickable};
use crate::{Caller, PickupRefusal, Ra, RaError};

/// How an employee's order may be picked up: by the user, logged in; also what the API's
/// document lists.
pub const USER_ORDER_IDENTIFICATIONS: [Identification; 1] = [Identification::UserLogin];

impl Ra {
    /// Orders an employee certificate for an active user of the caller's organisation:
    /// administrators only, when user certificates are on. The user picks it up after
    /// logging in, so the order has no one-time code.
    pub async fn order_for_user(
        &self,
        caller: &Caller,
        user_id: Uuid,
        req: OrderRequest,
        renews: Option<Uuid>,
        now: UnixTime,
    ) -> Result<Placed, RaError> {
        let policy = &self.orders;
        let scope = self.scope(caller);
        let user = self.user(caller, user_id).await?;
        let org = self
            .orderer(caller, orgca_model::CertKind::Employee)
            .await?;
        if user.status != UserStatus::Active {
            return Err(RaError::NotNow(format!(
                "user {} is not active",
                user.email
            )));
        }
        if !USER_ORDER_IDENTIFICATIONS.contains(&req.identification) {
            return Err(RaError::Invalid(
            "an employee certificate is picked up by its user after logging in: use identification user_login".into(),
        ));
        }
        let proof = address_proof(&scope, Some(&user.email), &org.name, policy, now).await?;
        // The validation link goes to the user's own address: it rides in the order's
        // mail, which then says to confirm first. (A password set through a link mailed
        // to the address proves it too, and readies the order.)
        let (proof, confirm_first) = match proof {
            AddressProof::Awaiting { validation, mail } => (
                AddressProof::AwaitingInOrderMail { validation },
                Some(mail.body),
            ),
            other => (other, None),
        };
        let base = &policy.public_base_url;
        let mail = |id: Uuid, reference: &str| NewMail {
            recipient: user.email.clone(),
            subject: "A certificate is waiting for you".into(),
            body: match &confirm_first {
                None => format!(
                    "{} has ordered an employee certificate for you (reference {reference}).\n\
                     Log in at {base}/portal and pick it up there (or with the API at\n\
                     {base}/api/v1/orders/{id}/pickup).\n",
                    org.name
                ),
                Some(confirm) => format!(
                    "{} has ordered an employee certificate for you (reference {reference}).\n\
                     It will show your address, so confirm the address first (setting your\n\
                     orgca password through the link mailed to you confirms it too):\n\n\
                     {confirm}\n\
                     Then log in at {base}/portal and pick the certificate up there (or with\n\
                     the API at {base}/api/v1/orders/{id}/pickup).\n",
                    org.name
                ),
            },
        };
        let plan = OrderPlan {
            subject: OrderSubject::User(user.id),
            request: req,
            code: None,
            renews,
            proof,
        };
        self.place(caller, plan, mail, now).await
    }

    /// Picks up an employee-certificate order as its user (logged in by their token),
    /// with a CSR. Another user's order answers "not found".
    pub async fn pickup_as_user(
        &self,
        caller: &Caller,
        order_id: Uuid,
        source: KeySource<'_>,
        now: UnixTime,
    ) -> Result<Delivered, RaError> {
        let not_yours = || RaError::NotFound("order for you");
        let me = caller.as_user().ok_or_else(not_yours)?;
        let scope = self.scope(caller);
        let order = scope
            .order(order_id)
            .await?
            .filter(|o| o.subject == OrderSubject::User(me.id))
            .ok_or_else(not_yours)?;
        check_pickable(&order, now)?;
        if order.identification != Identification::UserLogin {
            return Err(PickupRefusal::NeedsCode.into());
        }
        let org = scope.organisation().await?;
        crate::orgs::require_kind_on(&org, orgca_model::CertKind::Employee)?;
        let prepared = delivery::prepare(&order, source).await?;
        let PersonNames {
            common_name,
            given_name,
            surname,
        } = person_names(&me.given_name, &me.surname)?;
        let subject = LeafSubject {
            common_name,
            holder: Holder::Employee {
                given_name,
                surname,
                email: Email::parse(&me.email)?,
            },
            subject_uuid: me.id,
            organization: org.name.clone(),
            cvr: org.cvr.clone(),
        };
        let delivered = self
            .claim_issue_and_deliver(order, org, subject, prepared, me.id.to_string(), now)
            .await?;
        // The directory may have ended the user while the certificate was made (their
        // off-boarding blocks what it finds, and this one may have been committed just
        // after): such a certificate is blocked at once and not handed out.
        let user_now = scope.user(me.id).await?;
        if let Some(ended) = user_now.filter(|u| u.status.has_ended()) {
            let certificate = scope
                .certificate(delivered.issued.id)
                .await?
                .ok_or(RaError::NotFound("certificate"))?;
            let who = "orgca, as the user's account ended during the pick-up";
            let reason = orgca_model::BlockReason::LeftOrganisation;
            let mail = crate::blocking::notice(&certificate, &ended.email, reason, who, now);
            scope
                .block(certificate.id, reason, &[mail], "system:offboarding", now)
                .await?;
            return Err(RaError::NotNow(format!(
                "your account was {} while the certificate was made; the certificate is \
                 blocked",
                ended.status.as_str()
            )));
        }
        Ok(delivered)
    }
}

/// A person's names as a certificate shows them: givenName, surname, and the CN
/// "given-name surname".
pub(crate) struct PersonNames {
    pub(crate) common_name: CertName,
    pub(crate) given_name: PersonName,
    pub(crate) surname: PersonName,
}

/// Parses a person's names (checked as any name orgca writes into a certificate).
pub(crate) fn person_names(given_name: &str, surname: &str) -> Result<PersonNames, RaError> {
    let given_name = PersonName::parse("given name", given_name)?;
    let surname = PersonName::parse("surname", surname)?;
    Ok(PersonNames {
        common_name: CertName::parse(&format!("{} {}", given_name.as_str(), surname.as_str()))?,
        given_name,
        surname,
    })
}
