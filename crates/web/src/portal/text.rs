//! Every word the portal shows, in one place: a translation is another [`Texts`].

/// The portal's texts.
#[derive(Debug)]
pub struct Texts {
    /// `lang` attribute of every page.
    pub lang: &'static str,
    /// Product name in the header.
    pub product: &'static str,
    /// Banner on every page of a test organisation.
    pub test_banner: &'static str,
    /// Navigation.
    pub nav_overview: &'static str,
    /// Navigation.
    pub nav_certificates: &'static str,
    /// Logout button.
    pub logout: &'static str,
    /// Login page title.
    pub login_title: &'static str,
    /// Login page introduction.
    pub login_intro: &'static str,
    /// Field label.
    pub email: &'static str,
    /// Field label.
    pub password: &'static str,
    /// Field label.
    pub password_again: &'static str,
    /// Login button.
    pub login_button: &'static str,
    /// Set-password page title.
    pub password_title: &'static str,
    /// Set-password page introduction.
    pub password_intro: &'static str,
    /// Set-password button.
    pub password_button: &'static str,
    /// A link that no longer works.
    pub password_link_dead: &'static str,
    /// After the password was set.
    pub password_done: &'static str,
    /// A form sent without (or with a stale) CSRF token.
    pub form_expired: &'static str,
    /// Overview title.
    pub overview_title: &'static str,
    /// Table heading.
    pub kind: &'static str,
    /// Table heading.
    pub status: &'static str,
    /// Status word.
    pub active: &'static str,
    /// Status word.
    pub blocked: &'static str,
    /// Status word.
    pub expired: &'static str,
    /// Overview section.
    pub expiring_title: &'static str,
    /// When nothing expires soon.
    pub expiring_none: &'static str,
    /// Certificates title.
    pub certificates_title: &'static str,
    /// Search field label.
    pub search_label: &'static str,
    /// Search field hint.
    pub search_hint: &'static str,
    /// Status filter: any.
    pub any_status: &'static str,
    /// Search button.
    pub search_button: &'static str,
    /// Table heading.
    pub name: &'static str,
    /// Table heading.
    pub serial: &'static str,
    /// Table heading.
    pub valid_from: &'static str,
    /// Table heading.
    pub valid_until: &'static str,
    /// No certificates match.
    pub no_certificates: &'static str,
    /// Detail: subject UUID.
    pub subject_uuid: &'static str,
    /// Detail: e-mail in the certificate.
    pub email_in_certificate: &'static str,
    /// Detail: fingerprint.
    pub fingerprint: &'static str,
    /// Detail: issuing CA.
    pub issuer: &'static str,
    /// Detail: blocked when, why, by whom.
    pub blocked_at: &'static str,
    /// Detail: block reason.
    pub block_reason: &'static str,
    /// Detail: blocked by.
    pub blocked_by: &'static str,
    /// Block section title.
    pub block_title: &'static str,
    /// Block warning.
    pub block_warning: &'static str,
    /// Block reason picker label.
    pub block_reason_label: &'static str,
    /// Block confirmation checkbox.
    pub block_confirm: &'static str,
    /// Block button.
    pub block_button: &'static str,
    /// After a block.
    pub block_done: &'static str,
    /// Block without the confirmation.
    pub block_unconfirmed: &'static str,
    /// Reason texts, in [`orgca_model::BlockReason::ALL`] order.
    pub reasons: [&'static str; 5],
    /// Kind names: employee, organisation, system.
    pub kinds: [&'static str; 3],
    /// A page that does not exist.
    pub not_found: &'static str,
    /// A server fault.
    pub server_error: &'static str,
}

/// English.
pub static EN: Texts = Texts {
    lang: "en",
    product: "orgca",
    test_banner: "TEST ENVIRONMENT: certificates here are not valid for real use",
    nav_overview: "Overview",
    nav_certificates: "Certificates",
    logout: "Log out",
    login_title: "Log in",
    login_intro: "Log in with your work e-mail address and your orgca password.",
    email: "E-mail address",
    password: "Password",
    password_again: "Password again",
    login_button: "Log in",
    password_title: "Set your password",
    password_intro: "Choose a password of at least 12 characters. A few words make a good one.",
    password_button: "Set password",
    password_link_dead: "This link has been used or has expired. Ask your administrator for a new one.",
    password_done: "Your password is set. Log in with it now.",
    form_expired: "This form has expired. It has been reloaded: please send it again.",
    overview_title: "Overview",
    kind: "Kind",
    status: "Status",
    active: "Active",
    blocked: "Blocked",
    expired: "Expired",
    expiring_title: "Expiring in the next 90 days",
    expiring_none: "No certificate expires in the next 90 days.",
    certificates_title: "Certificates",
    search_label: "Search",
    search_hint: "Name, serial, subject UUID or e-mail",
    any_status: "Any status",
    search_button: "Search",
    name: "Name",
    serial: "Serial",
    valid_from: "Valid from",
    valid_until: "Valid until",
    no_certificates: "No certificates match. Clear the search to see all.",
    subject_uuid: "Subject UUID",
    email_in_certificate: "E-mail in the certificate",
    fingerprint: "SHA-256 fingerprint",
    issuer: "Issuing CA",
    blocked_at: "Blocked at",
    block_reason: "Reason",
    blocked_by: "Blocked by",
    block_title: "Block this certificate",
    block_warning: "Blocking is permanent: relying parties see it within seconds and it cannot be undone.",
    block_reason_label: "Why?",
    block_confirm: "I understand that blocking cannot be undone",
    block_button: "Block certificate",
    block_done: "The certificate is blocked. The contact person has been told.",
    block_unconfirmed: "Tick the box to confirm that blocking cannot be undone.",
    reasons: [
        "The content is wrong",
        "The key is lost",
        "The key is compromised",
        "The holder has left the organisation",
        "Replaced by a new certificate",
    ],
    kinds: ["Employee", "Organisation", "System"],
    not_found: "There is nothing here. Go back to the overview.",
    server_error: "Something went wrong on our side. Try again in a minute.",
};
