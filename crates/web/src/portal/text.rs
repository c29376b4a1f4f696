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
    /// Pick-up page title.
    pub pickup_title: &'static str,
    /// Pick-up introduction.
    pub pickup_intro: &'static str,
    /// Field label.
    pub reference: &'static str,
    /// Field label.
    pub one_time_code: &'static str,
    /// Button.
    pub continue_button: &'static str,
    /// Confirm page title.
    pub pickup_confirm_title: &'static str,
    /// Confirm page introduction.
    pub pickup_confirm_intro: &'static str,
    /// Detail label.
    pub organisation: &'static str,
    /// Detail label.
    pub cvr: &'static str,
    /// Detail label.
    pub delivery: &'static str,
    /// Delivery as PKCS#12.
    pub delivery_pkcs12: &'static str,
    /// Delivery by CSR.
    pub delivery_csr: &'static str,
    /// CSR field label.
    pub csr_label: &'static str,
    /// CSR field hint.
    pub csr_hint: &'static str,
    /// Terms checkbox.
    pub terms_accept: &'static str,
    /// Terms text.
    pub terms_text: &'static str,
    /// Pick-up button.
    pub pickup_button: &'static str,
    /// Pick-up without accepting the terms.
    pub terms_unaccepted: &'static str,
    /// Done page title.
    pub pickup_done_title: &'static str,
    /// Shown above the PKCS#12 password.
    pub pkcs12_password_intro: &'static str,
    /// Download button.
    pub download_pkcs12: &'static str,
    /// Download button.
    pub download_chain: &'static str,
    /// Download note.
    pub download_once: &'static str,
    /// A download link used or expired.
    pub download_gone: &'static str,
    /// Too many pick-ups waiting for their download.
    pub downloads_full: &'static str,
    /// Navigation.
    pub nav_order: &'static str,
    /// Order page title.
    pub order_title: &'static str,
    /// Order page introduction.
    pub order_intro: &'static str,
    /// Field label.
    pub profile: &'static str,
    /// No profile to order for.
    pub no_profiles: &'static str,
    /// Order button.
    pub order_button: &'static str,
    /// Ordered page title.
    pub ordered_title: &'static str,
    /// Ordered page warning.
    pub ordered_copy_now: &'static str,
    /// Ordered page: what the recipient does.
    pub ordered_next: &'static str,
    /// Ordered page: order waits for an e-mail address.
    pub ordered_waits: &'static str,
    /// Print button text.
    pub print_hint: &'static str,
    /// Only administrators may.
    pub admins_only: &'static str,
    /// E-mail validation page title.
    pub email_title: &'static str,
    /// E-mail validation page introduction.
    pub email_intro: &'static str,
    /// Confirm button.
    pub email_button: &'static str,
    /// After confirming: the address is confirmed.
    pub email_done: &'static str,
    /// After confirming: orders now ready.
    pub email_orders_ready: &'static str,
    /// Overview section: orders waiting for the user.
    pub waiting_title: &'static str,
    /// Waiting order: address not confirmed yet.
    pub waiting_for_email: &'static str,
    /// Navigation.
    pub nav_users: &'static str,
    /// Users page title.
    pub users_title: &'static str,
    /// Table heading.
    pub role: &'static str,
    /// Role names: organisation administrator, user administrator, user.
    pub roles: [&'static str; 3],
    /// Status word.
    pub deactivated: &'static str,
    /// Status word.
    pub invited: &'static str,
    /// Save button.
    pub save: &'static str,
    /// Send password link button.
    pub send_link: &'static str,
    /// Invite section title.
    pub invite_title: &'static str,
    /// Field label.
    pub given_name: &'static str,
    /// Field label.
    pub surname: &'static str,
    /// Invite button.
    pub invite_button: &'static str,
    /// After an invitation or a link.
    pub link_sent: &'static str,
    /// After a change.
    pub user_saved: &'static str,
    /// Navigation.
    pub nav_profiles: &'static str,
    /// Profiles page title.
    pub profiles_title: &'static str,
    /// Profiles page introduction.
    pub profiles_intro: &'static str,
    /// New profile section title.
    pub new_profile_title: &'static str,
    /// Edit profile title.
    pub edit_profile_title: &'static str,
    /// Field label.
    pub contact_name: &'static str,
    /// Field label.
    pub contact_email: &'static str,
    /// Field hint.
    pub email_optional: &'static str,
    /// Checkbox.
    pub allow_signing: &'static str,
    /// Checkbox.
    pub publish: &'static str,
    /// Create button.
    pub create_button: &'static str,
    /// Navigation.
    pub nav_settings: &'static str,
    /// Settings page title.
    pub settings_title: &'static str,
    /// Setting.
    pub setting_user_certificates: &'static str,
    /// Setting.
    pub setting_organisation_certificates: &'static str,
    /// Setting.
    pub setting_seals: &'static str,
    /// Only organisation administrators may.
    pub org_admins_only: &'static str,
    /// Renew section.
    pub renew_title: &'static str,
    /// Renew text.
    pub renew_text: &'static str,
    /// Renew button.
    pub renew_button: &'static str,
    /// History section title.
    pub history_title: &'static str,
    /// History: the certificate this one renews.
    pub renews: &'static str,
    /// History: renewed by.
    pub renewed_by: &'static str,
    /// Table heading.
    pub when: &'static str,
    /// Table heading.
    pub event: &'static str,
    /// Table heading.
    pub by: &'static str,
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
    pickup_title: "Pick up a certificate",
    pickup_intro: "Type the reference from the e-mail and the one-time code your administrator gave you.",
    reference: "Reference",
    one_time_code: "One-time code",
    continue_button: "Continue",
    pickup_confirm_title: "Check the certificate",
    pickup_confirm_intro: "This is the certificate you are about to pick up. Check that the name and CVR number are right.",
    organisation: "Organisation",
    cvr: "CVR number",
    delivery: "Delivery",
    delivery_pkcs12: "A PKCS#12 file (.p12) with a key made for you, and its password",
    delivery_csr: "Your own key: paste a certificate signing request (CSR)",
    csr_label: "Certificate signing request (PEM)",
    csr_hint: "Starts with -----BEGIN CERTIFICATE REQUEST-----",
    terms_accept: "I accept the terms of use for this certificate",
    terms_text: "The certificate is for the organisation named above. Keep its key secret, and block the certificate at once if the key may have been lost or seen by others.",
    pickup_button: "Pick up certificate",
    terms_unaccepted: "Tick the box to accept the terms of use.",
    pickup_done_title: "Your certificate is ready",
    pkcs12_password_intro: "The password of the file. It is shown only now: write it down or copy it before you leave this page.",
    download_pkcs12: "Download the .p12 file",
    download_chain: "Download the certificate and chain (PEM)",
    download_once: "The download works once, within 10 minutes.",
    download_gone: "This download has been used or has expired. The certificate was issued: ask your administrator to block it and order a new one if you did not save the file.",
    downloads_full: "Too many pick-ups are waiting for their download. Try again in a few minutes.",
    nav_order: "Order",
    order_title: "Order a certificate",
    order_intro: "Choose the profile the certificate is for and how the recipient gets the key. The recipient picks it up with a reference and a one-time code.",
    profile: "Profile",
    no_profiles: "There is no organisation or system profile yet. Create one first (API: POST /api/v1/profiles).",
    order_button: "Place order",
    ordered_title: "Order placed",
    ordered_copy_now: "Copy the one-time code now: it is shown only on this page and orgca does not keep it. Give it to the recipient by another way than the e-mail with the reference.",
    ordered_next: "The recipient opens /portal/pickup, types the reference and the code, and picks up the certificate.",
    ordered_waits: "The certificate shows an e-mail address that has not been validated yet: a validation link has been mailed to it, and the order can be picked up once it is confirmed.",
    print_hint: "Print this page (the header and buttons are left out) if you hand the code over on paper.",
    admins_only: "Only user and organisation administrators can do this.",
    email_title: "Confirm your e-mail address",
    email_intro: "A certificate ordered by your organisation will show this e-mail address. Confirm that the address is yours.",
    email_button: "Confirm",
    email_done: "Thank you: the address is confirmed.",
    email_orders_ready: "Orders that can now be picked up:",
    waiting_title: "Certificates waiting for you",
    waiting_for_email: "Waiting for your e-mail address to be confirmed: open the link in the mail orgca sent you.",
    nav_users: "Users",
    users_title: "Users",
    role: "Role",
    roles: ["Organisation administrator", "User administrator", "User"],
    deactivated: "Deactivated",
    invited: "Invited",
    save: "Save",
    send_link: "Send password link",
    invite_title: "Invite a user",
    given_name: "Given name",
    surname: "Surname",
    invite_button: "Invite",
    link_sent: "A password link has been mailed to",
    user_saved: "Saved:",
    nav_profiles: "Profiles",
    profiles_title: "Certificate profiles",
    profiles_intro: "A profile says what an organisation or system certificate shows and who its contact person is. Orders are placed for a profile.",
    new_profile_title: "New profile",
    edit_profile_title: "Edit profile",
    contact_name: "Contact person",
    contact_email: "Contact person's e-mail address",
    email_optional: "E-mail address in the certificate (optional; it is validated before issuance)",
    allow_signing: "May be used for seals (signing on behalf of the organisation)",
    publish: "Publish the certificates in the public directory",
    create_button: "Create profile",
    nav_settings: "Settings",
    settings_title: "Organisation settings",
    setting_user_certificates: "Employee certificates",
    setting_organisation_certificates: "Organisation and system certificates",
    setting_seals: "The seal right",
    org_admins_only: "Only organisation administrators can do this.",
    renew_title: "Renew",
    renew_text: "Order a new certificate with the same data. The new certificate gets a new key and serial; this one stays valid until you block it.",
    renew_button: "Renew certificate",
    history_title: "History",
    renews: "Renews",
    renewed_by: "Renewed by",
    when: "When",
    event: "Event",
    by: "By",
    not_found: "There is nothing here. Go back to the overview.",
    server_error: "Something went wrong on our side. Try again in a minute.",
};
