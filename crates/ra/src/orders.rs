//! Orders and their pick-up with a one-time code (docs/DOMAIN.md, "Certificate profiles and
//! orders"). The code is shown once to the administrator, kept only as a SHA-256, and
//! an order locks after [`MAX_CODE_FAILURES`] wrong codes.

use orgca_model::UnixTime;
use orgca_model::{CertName, Email, Identification, Issuance, Order, OrderStatus, OrderSubject};
use orgca_pki::profile::{Holder, LeafSubject};
use orgca_store::{NewMail, NewOrder, NewValidation, StoreError};
use uuid::Uuid;

use crate::delivery::{self, Delivered, KeySource};
use crate::{Caller, OrderPolicy, PickupRefusal, Ra, RaError};

/// Wrong one-time codes after which an order is locked.
pub const MAX_CODE_FAILURES: i64 = 5;

/// Crockford's base 32: no I, L, O or U, so that codes survive being read aloud.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `groups` groups of four random characters, joined by '-' (5 bits each).
pub(crate) fn random_code(groups: usize) -> Result<String, RaError> {
    let mut raw = vec![0u8; groups * 4];
    aws_lc_rs::rand::fill(&mut raw).map_err(|_| RaError::no_randomness())?;
    let chars: Vec<char> = raw
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// The form a typed code or reference is compared in: upper case, no separators, and
/// the letters Crockford reads as digits mapped to them.
pub fn normalise(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

fn code_hash(code: &str) -> [u8; 32] {
    crate::token_hash(&normalise(code))
}

/// How an order is to be identified and delivered.
#[derive(Clone, Copy, Debug)]
pub struct OrderRequest {
    /// How the recipient identifies.
    pub identification: Identification,
    /// How the certificate is delivered.
    pub issuance: Issuance,
}

/// A placed order and, for one-time-code orders, the code: shown in this answer only.
#[derive(Clone, Debug)]
pub struct Placed {
    /// The order.
    pub order: Order,
    /// The one-time code.
    pub one_time_code: Option<String>,
}

impl Ra {
    /// Orders an organisation or system certificate for a profile of the caller's
    /// organisation: administrators only, when organisation certificates are on. When the
    /// profile shows an e-mail address that is not validated, the order waits for it and a
    /// validation link goes to the address; the contact person is told the reference (never
    /// the code). `renews` names the certificate it renews.
    pub async fn order_for_profile(
        &self,
        caller: &Caller,
        profile_id: Uuid,
        req: OrderRequest,
        renews: Option<Uuid>,
        now: UnixTime,
    ) -> Result<Placed, RaError> {
        let policy = &self.orders;
        let scope = self.scope(caller);
        let profile = self.profile(caller, profile_id).await?;
        let org = self.orderer(caller, profile.kind).await?;
        if !PROFILE_ORDER_IDENTIFICATIONS.contains(&req.identification) {
            return Err(RaError::Invalid(
            "this orgca version delivers profile orders by one-time code (user login is for employee certificates)"
                .into(),
        ));
        }
        // An address shown in the certificate must be proven first.
        let proof = address_proof(&scope, profile.email.as_deref(), &org.name, policy, now).await?;
        let status = proof.status();
        let mail = |_: Uuid, reference: &str| {
            pickup_mail(
                &profile,
                &org.name,
                status,
                reference,
                &policy.public_base_url,
            )
        };
        let plan = OrderPlan {
            subject: OrderSubject::Profile(profile.id),
            request: req,
            code: Some(random_code(4)?),
            renews,
            proof,
        };
        self.place(caller, plan, mail, now).await
    }
}

impl Ra {
    /// The caller's organisation, when the caller may order a certificate of `kind` in
    /// it now: an administrator, with that kind switched on. (The thing ordered for is
    /// looked up first, so that another organisation's id is "not found" whatever the
    /// caller's role.)
    pub(crate) async fn orderer(
        &self,
        caller: &Caller,
        kind: orgca_model::CertKind,
    ) -> Result<orgca_model::Organisation, RaError> {
        caller.require_admin()?;
        let org = self.organisation(caller).await?;
        crate::orgs::require_kind_on(&org, kind)?;
        Ok(org)
    }
}

/// How a profile's order may be picked up (a system or organisation has no login); also
/// what the API's document lists.
pub const PROFILE_ORDER_IDENTIFICATIONS: [Identification; 1] = [Identification::OneTimeCode];

/// Whether the address a certificate will show is proven, or what proving it takes.
pub(crate) enum AddressProof {
    /// No address, or one proven for the organisation lately: the order is ready.
    Proven,
    /// The order waits until the address is confirmed through the link in `mail`.
    Awaiting {
        /// The validation to record.
        validation: NewValidation,
        /// The mail that carries its link.
        mail: NewMail,
    },
    /// The order waits until the address is confirmed, and the order's own mail (sent
    /// to that very address) carries the link: one mail, not two.
    AwaitingInOrderMail {
        /// The validation to record.
        validation: NewValidation,
    },
}

impl AddressProof {
    /// The status an order starts in.
    pub(crate) fn status(&self) -> OrderStatus {
        match self {
            AddressProof::Proven => OrderStatus::Ready,
            AddressProof::Awaiting { .. } | AddressProof::AwaitingInOrderMail { .. } => {
                OrderStatus::AwaitingEmailValidation
            }
        }
    }
}

/// An order to place: what it is for, how it is picked up, and what it waits for.
pub(crate) struct OrderPlan {
    /// The profile or user the certificate will name.
    pub(crate) subject: OrderSubject,
    /// How the recipient identifies and how the certificate is delivered.
    pub(crate) request: OrderRequest,
    /// The one-time code, for an order picked up with one.
    pub(crate) code: Option<String>,
    /// The certificate it renews.
    pub(crate) renews: Option<Uuid>,
    /// The address proof it waits for.
    pub(crate) proof: AddressProof,
}

impl Ra {
    /// Places an order of `plan` with a freshly drawn reference (drawn again when taken)
    /// and a fresh id, the validation it waits for, and its mails plus the one `mail_for`
    /// writes to name the order: all in one transaction.
    pub(crate) async fn place(
        &self,
        caller: &Caller,
        plan: OrderPlan,
        mail_for: impl Fn(Uuid, &str) -> NewMail,
        now: UnixTime,
    ) -> Result<Placed, RaError> {
        let status = plan.proof.status();
        let (validation, mut mails) = match plan.proof {
            AddressProof::Proven => (None, Vec::new()),
            AddressProof::Awaiting { validation, mail } => (Some(validation), vec![mail]),
            AddressProof::AwaitingInOrderMail { validation } => (Some(validation), Vec::new()),
        };
        let scope = self.scope(caller);
        for _ in 0..5 {
            let new = NewOrder {
                id: Uuid::new_v4(),
                reference: random_code(2)?,
                subject: plan.subject,
                identification: plan.request.identification,
                issuance: plan.request.issuance,
                status,
                code_sha256: plan.code.as_deref().map(code_hash),
                expires_at: now.plus_secs(self.orders.order_validity),
                renews: plan.renews,
            };
            mails.push(mail_for(new.id, &new.reference));
            let created = scope
                .create_order(&new, validation.as_ref(), &mails, &caller.actor_id(), now)
                .await;
            match created {
                Ok(order) => {
                    return Ok(Placed {
                        order,
                        one_time_code: plan.code,
                    });
                }
                // A reference drawn twice (40 bits): draw again.
                Err(StoreError::Conflict(_)) => {
                    mails.pop();
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(RaError::Internal(crate::Internal::just(
            "could not draw a free order reference",
        )))
    }
}

/// What an order for a certificate showing `email` waits for: nothing when the address
/// was validated for the organisation lately, else a validation and the mail that carries
/// its link.
pub(crate) async fn address_proof(
    scope: &orgca_store::OrgScope,
    email: Option<&str>,
    org_name: &str,
    policy: &OrderPolicy,
    now: UnixTime,
) -> Result<AddressProof, RaError> {
    let since = now.minus_secs(policy.email_validation_validity);
    let Some(email) = email else {
        return Ok(AddressProof::Proven);
    };
    if scope.email_validated_since(email, since).await? {
        return Ok(AddressProof::Proven);
    }
    let mut raw = [0u8; 32];
    aws_lc_rs::rand::fill(&mut raw).map_err(|_| RaError::no_randomness())?;
    let token = hex::encode(raw);
    let base = &policy.public_base_url;
    let link_days = policy.email_link_validity / 86_400;
    let mail = NewMail {
        recipient: email.to_owned(),
        subject: format!("Confirm your e-mail address for {org_name}'s certificates"),
        body: format!(
            "{org_name} has ordered a certificate that will show the address {email}.\n\n\
             Confirm that this address is yours: open\n\n\
             {base}/portal/email/{token}\n\n\
             and press Confirm. (A program can instead send an empty POST request to\n\
             {base}/api/v1/email-validations/{token} .)\n\n\
             The link works for {link_days} days. If you did not expect this, ignore it.\n"
        ),
    };
    let validation = NewValidation {
        email: email.to_owned(),
        token_sha256: crate::token_hash(&token),
        expires_at: now.plus_secs(policy.email_link_validity),
    };
    Ok(AddressProof::Awaiting { validation, mail })
}

/// Refuses an order that cannot be picked up now (its state or its expiry).
pub(crate) fn check_pickable(order: &Order, now: UnixTime) -> Result<(), RaError> {
    match order.status {
        OrderStatus::Ready => {}
        OrderStatus::AwaitingEmailValidation => return Err(PickupRefusal::AwaitingEmail.into()),
        OrderStatus::Issued | OrderStatus::Issuing => return Err(PickupRefusal::PickedUp.into()),
        OrderStatus::Cancelled => return Err(PickupRefusal::Cancelled.into()),
    }
    if now > order.expires_at {
        return Err(PickupRefusal::Expired.into());
    }
    Ok(())
}

/// The message that tells the contact person an order awaits pick-up: the reference and
/// where, never the one-time code (the administrator passes that on another way).
fn pickup_mail(
    profile: &orgca_model::Profile,
    org: &str,
    status: OrderStatus,
    reference: &str,
    base: &str,
) -> NewMail {
    let wait = if status == OrderStatus::AwaitingEmailValidation {
        "It can be picked up once the address shown in it has been confirmed.\n"
    } else {
        ""
    };
    NewMail {
        recipient: profile.contact_email.clone(),
        subject: format!("Certificate \"{}\" is ready to be picked up", profile.name),
        body: format!(
            "{org} has ordered the certificate \"{}\".\n{wait}\nPick it up at {base}/portal/pickup (or with the \
             API at {base}/api/v1/pickup) with the reference {} and the one-time code your \
             administrator gives you.\n",
            profile.name, reference
        ),
    }
}

impl Ra {
    /// Confirms an e-mail address with the token mailed to it; orders waiting for it become
    /// ready.
    pub async fn confirm_email(
        &self,
        token: &str,
        now: UnixTime,
    ) -> Result<orgca_store::Confirmed, RaError> {
        if token.len() > 128 {
            return Err(RaError::NotFound("e-mail validation"));
        }
        self.store
            .mail()
            .confirm(crate::token_hash(token), now)
            .await?
            .ok_or(RaError::NotFound("e-mail validation"))
    }

    /// An order of the caller's organisation: administrators, or the user it is for.
    /// Looked up first, so that another organisation's id is "not found" whatever the
    /// caller's role.
    pub async fn order(&self, caller: &Caller, id: Uuid) -> Result<Order, RaError> {
        let order = self
            .scope(caller)
            .order(id)
            .await?
            .ok_or(RaError::NotFound("order"))?;
        if !order.subject.user().is_some_and(|u| caller.is_user(u)) {
            caller.require_admin()?;
        }
        Ok(order)
    }
}

/// What a recipient is shown before picking up, once the code has been checked: who the
/// certificate will name, and how it is delivered.
#[derive(Clone, Debug)]
pub struct PickupPreview {
    /// The order.
    pub order: Order,
    /// Its organisation.
    pub org: orgca_model::Organisation,
    /// The certificate's subject, from the profile.
    pub subject: LeafSubject,
}

impl Ra {
    /// Picks up a one-time-code order with a CSR or as a PKCS#12: checks everything
    /// [`Ra::preview_with_code`] checks, then takes the order for this pick-up only and
    /// issues from the profile's data.
    pub async fn pickup_with_code(
        &self,
        reference: &str,
        one_time_code: &str,
        source: KeySource<'_>,
        now: UnixTime,
    ) -> Result<Delivered, RaError> {
        let p = self
            .preview_with_code(reference, one_time_code, now)
            .await?;
        // The key is checked (or made) before the order is taken: a bad CSR costs nothing.
        let prepared = delivery::prepare(&p.order, source).await?;
        self.claim_issue_and_deliver(p.order, p.org, p.subject, prepared, "pickup".into(), now)
            .await
    }

    /// Checks a reference and one-time code and answers what the certificate would name,
    /// without issuing. The code is checked first (constant time, at most
    /// [`MAX_CODE_FAILURES`] tries, taken atomically), so that a reference alone tells
    /// nothing about its order; then the order's state, the organisation's settings and
    /// the address the certificate will show.
    pub async fn preview_with_code(
        &self,
        reference: &str,
        one_time_code: &str,
        now: UnixTime,
    ) -> Result<PickupPreview, RaError> {
        let policy = &self.orders;
        let pickup = self.store.pickup();
        let order = match format_reference(reference) {
            Some(r) => pickup.by_reference(&r).await?,
            None => None,
        }
        .ok_or(PickupRefusal::WrongCode)?;
        let (Identification::OneTimeCode, Some(expected)) =
            (order.identification, order.code_sha256)
        else {
            return Err(PickupRefusal::NeedsLogin.into());
        };
        let Some(tries) = pickup.take_try(&order, MAX_CODE_FAILURES).await? else {
            // Every try is taken: by wrong codes (locked), or by tries still being
            // checked, a right code perhaps among them (not this one's fault).
            return Err(if pickup.wrong_codes(&order).await? >= MAX_CODE_FAILURES {
                PickupRefusal::Locked
            } else {
                PickupRefusal::Busy
            }
            .into());
        };
        let given = code_hash(one_time_code);
        if aws_lc_rs::constant_time::verify_slices_are_equal(&given, &expected).is_err() {
            pickup.record_wrong_code(&order, tries, now).await?;
            return Err(PickupRefusal::WrongCode.into());
        }
        pickup.give_back_try(&order).await?;
        check_pickable(&order, now)?;
        let org_scope = self.store.org(order.org_id);
        let org = org_scope.organisation().await?;
        crate::orgs::require_kind_on(&org, orgca_model::CertKind::Organisation)?;
        let profile_id = order
            .subject
            .profile()
            .ok_or(RaError::NotFound("profile"))?;
        let profile = org_scope
            .profile(profile_id)
            .await?
            .ok_or(RaError::NotFound("profile"))?;
        // The profile may have been given another address since the order was placed:
        // the certificate shows only an address proven for the organisation.
        if let Some(email) = &profile.email {
            let since = now.minus_secs(policy.email_validation_validity);
            if !org_scope.email_validated_since(email, since).await? {
                return Err(PickupRefusal::ProfileEmailNotValidated(email.clone()).into());
            }
        }
        let email = profile.email.as_deref().map(Email::parse).transpose()?;
        let holder = match profile.kind {
            orgca_model::CertKind::Organisation => Holder::Organisation { email },
            _ => Holder::System { email },
        };
        let subject = LeafSubject {
            holder,
            common_name: CertName::parse(&profile.name)?,
            subject_uuid: profile.id,
            organization: org.name.clone(),
            cvr: org.cvr.clone(),
        };
        Ok(PickupPreview {
            order,
            org,
            subject,
        })
    }

    /// Takes the order for this pick-up only, issues and delivers, giving the order back
    /// if issuing failed. It runs as a task of its own: a client that hangs up halfway
    /// does not leave the order taken and unissued.
    pub(crate) async fn claim_issue_and_deliver(
        &self,
        order: Order,
        org: orgca_model::Organisation,
        subject: LeafSubject,
        prepared: delivery::Prepared,
        actor: String,
        now: UnixTime,
    ) -> Result<Delivered, RaError> {
        let ra = self.clone();
        tokio::spawn(async move {
            let pickup = ra.store.pickup();
            if !pickup.claim(&order, now).await? {
                return Err(PickupRefusal::BeingPickedUp.into());
            }
            let spki = prepared.spki.clone();
            let issued = ra
                .issue_for(&org, subject, spki, Some(order.id), &actor, now)
                .await;
            match issued {
                Ok(issued) => delivery::finish(issued, prepared),
                Err(e) => {
                    pickup.release(&order).await?;
                    Err(e)
                }
            }
        })
        .await
        .map_err(|e| RaError::internal("the pick-up task", e))?
    }
}

/// A typed reference in the stored form (`XXXX-XXXX`); `None` for anything that cannot
/// be one (references are eight characters of Crockford's base 32).
fn format_reference(typed: &str) -> Option<String> {
    let n = normalise(typed);
    (n.len() == 8 && n.bytes().all(|b| ALPHABET.contains(&b)))
        .then(|| format!("{}-{}", &n[..4], &n[4..]))
}

impl Ra {
    /// Cancels an order of the caller's organisation that has not been picked up:
    /// administrators only. Cancelling a cancelled order answers it unchanged.
    pub async fn cancel(&self, caller: &Caller, id: Uuid, now: UnixTime) -> Result<Order, RaError> {
        // Looked up first: an id of another organisation is "not found", whatever the role.
        self.order(caller, id).await?;
        caller.require_admin()?;
        let order = self
            .scope(caller)
            .cancel_order(id, &caller.actor_id(), now)
            .await?
            .ok_or(RaError::NotFound("order"))?;
        match order.status {
            OrderStatus::Cancelled => Ok(order),
            _ => Err(PickupRefusal::PickedUpNotCancelled.into()),
        }
    }
}

/// The status a client sees: an order past its expiry that was not picked up is
/// `expired`, one whose code was guessed wrong too often `locked` (both computed, never
/// stored, so that no job has to run for them).
pub fn visible_status(order: &Order, now: UnixTime) -> &'static str {
    match order.status {
        OrderStatus::Ready | OrderStatus::AwaitingEmailValidation if now > order.expires_at => {
            "expired"
        }
        OrderStatus::Ready | OrderStatus::AwaitingEmailValidation
            if order.code_failures >= MAX_CODE_FAILURES =>
        {
            "locked"
        }
        s => s.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_typeable_and_forgiving() {
        let c = random_code(4).expect("code");
        assert_eq!(c.len(), 19);
        assert!(
            c.chars()
                .all(|ch| ch == '-' || ALPHABET.contains(&(ch as u8)))
        );
        assert_eq!(normalise("ab0o-1il "), "AB00111");
        assert_eq!(code_hash("abcd-efgh"), code_hash("ABCDEFGH"));
        assert_eq!(format_reference("k7q2 9xpm").as_deref(), Some("K7Q2-9XPM"));
        // Not references: never a panic on multi-byte input, never a query.
        for bad in ["ab€cde", "ÆØÅÆ", "K7Q2-9XP", "K7Q2-9XPMM", "K7Q2-9XP!", ""] {
            assert_eq!(format_reference(bad), None, "{bad}");
        }
    }
}
