//! Every word the portal shows, in one place: English ([`EN`]) and Danish ([`DA`]). A
//! browser gets Danish when it asks for it first (Accept-Language) or chose it (the
//! `orgca_lang` cookie, set by the switch in every page's header). Messages that come
//! from below the portal (the RA's refusals) are in English.

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
    /// Field label: the organisation's CVR, asked for when a login fits several.
    pub login_organisation: &'static str,
    /// A wrong address or password (one message for every such refusal).
    pub login_wrong: &'static str,
    /// Too many failed logins.
    pub login_too_many: &'static str,
    /// Too many wrong pick-up codes from the client's address.
    pub code_too_many: &'static str,
    /// The address and password fit accounts in several organisations.
    pub login_which_organisation: &'static str,
    /// Heading of the identity-provider login.
    pub login_sso_title: &'static str,
    /// What the identity-provider login is.
    pub login_sso_intro: &'static str,
    /// Before the organisation's name, on its own login page.
    pub login_sso_for: &'static str,
    /// Field label: the CVR of the organisation whose identity provider to use.
    pub login_sso_organisation: &'static str,
    /// Button: off to the identity provider.
    pub login_sso_button: &'static str,
    /// Button: to the organisation's own login page (by its CVR).
    pub login_sso_find: &'static str,
    /// Heading of the page a login through the provider ends on.
    pub login_sso_done: &'static str,
    /// Link from that page into the portal.
    pub login_sso_continue: &'static str,
    /// The organisation has no identity provider.
    pub login_no_provider: &'static str,
    /// The login through the identity provider did not go through.
    pub login_provider_failed: &'static str,
    /// The provider knows the person, orgca does not (as an active user).
    pub login_not_a_user: &'static str,
    /// Settings: heading of how the organisation logs in.
    pub login_methods_title: &'static str,
    /// Settings: the identity provider (its issuer follows).
    pub login_methods_provider: &'static str,
    /// Settings: no identity provider.
    pub login_methods_no_provider: &'static str,
    /// Settings: passwords work too.
    pub login_methods_password_on: &'static str,
    /// Settings: passwords are off.
    pub login_methods_password_off: &'static str,
    /// Settings: who changes the login methods.
    pub login_methods_operator: &'static str,
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
    /// The link to a certificate's PEM with its CA certificates.
    pub download_pem: &'static str,
    /// After a block of a certificate without a contact person.
    pub block_done_nobody_told: &'static str,
    /// After a block of a certificate that was blocked already.
    pub block_already: &'static str,
    /// Block without the confirmation.
    pub block_unconfirmed: &'static str,
    /// Reason texts, in [`orgca_model::BlockReason::ALL`] order.
    pub reasons: [&'static str; 5],
    /// Kind names: employee, organisation, system.
    pub kinds: [&'static str; 3],
    /// Kind filter: no filter.
    pub any_kind: &'static str,
    /// Overview section: the public directory.
    pub directory_title: &'static str,
    /// What publishing means.
    pub directory_intro: &'static str,
    /// Checkbox label.
    pub directory_publish: &'static str,
    /// Navigation and title: the signing page.
    pub sign_title: &'static str,
    /// What signing does.
    pub sign_intro: &'static str,
    /// File field label.
    pub sign_file: &'static str,
    /// File field hint (the size limit follows).
    pub sign_file_hint: &'static str,
    /// Format choice legend.
    pub sign_format: &'static str,
    /// PAdES choice.
    pub sign_format_pades: &'static str,
    /// CAdES choice.
    pub sign_format_cades: &'static str,
    /// Signer choice label.
    pub sign_as: &'static str,
    /// Signer choice: myself.
    pub sign_as_me: &'static str,
    /// Signer choice: a seal (the profile's name follows).
    pub sign_as_seal: &'static str,
    /// Button.
    pub sign_button: &'static str,
    /// The upload could not be read.
    pub sign_unreadable: &'static str,
    /// The upload is over the limit (the limit follows).
    pub sign_too_large: &'static str,
    /// Button.
    pub save_button: &'static str,
    /// Expiry filter label.
    pub expiring_label: &'static str,
    /// Expiry filter choices: none, within 30 days, within 90 days.
    pub expiring: [&'static str; 3],
    /// Sort label.
    pub sort_label: &'static str,
    /// Sort choices: newest first, soonest expiry first, name A to Z.
    pub sorts: [&'static str; 3],
    /// Link: the same list as CSV.
    pub export_button: &'static str,
    /// Before the number of matching certificates.
    pub matching: &'static str,
    /// Paging link.
    pub next_page: &'static str,
    /// Paging link.
    pub first_page: &'static str,
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
    /// Right after a profile was made.
    pub profile_created: &'static str,
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
    /// Field label: the right to seal in the organisation's name.
    pub seal_right: &'static str,
    /// The seal right held.
    pub seal_yes: &'static str,
    /// The seal right not held.
    pub seal_no: &'static str,
    /// Status word.
    pub invited: &'static str,
    /// The status of a user the organisation's directory deleted.
    pub removed: &'static str,
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
    /// A wrong reference or code (the same words for both).
    pub code_wrong: &'static str,
    /// Users page: order an employee certificate.
    pub order_employee: &'static str,
    /// After ordering an employee certificate.
    pub employee_ordered: &'static str,
    /// A server fault.
    pub server_error: &'static str,
    /// The database or a key token is out of reach for now.
    pub server_unavailable: &'static str,
    /// The other language: its code (for the switch link).
    pub other_lang: &'static str,
    /// The other language's name, in that language.
    pub other_lang_name: &'static str,
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
    login_organisation: "CVR number of the organisation",
    login_wrong: "The e-mail address or the password is wrong. After 5 wrong tries an account waits 15 minutes.",
    login_too_many: "Too many failed logins. Wait 15 minutes and try again, or ask your administrator for a new password link.",
    code_too_many: "Too many wrong codes from your network. Wait 15 minutes and try again.",
    login_sso_title: "Your organisation's login",
    login_sso_intro: "If your organisation logs in to orgca through its own identity provider (such as Entra ID or Okta), give its CVR number and log in there.",
    login_sso_for: "Log in through the identity provider of",
    login_sso_organisation: "Your organisation's CVR number",
    login_sso_button: "Go to your organisation's login",
    login_sso_find: "Continue",
    login_sso_done: "You are logged in",
    login_sso_continue: "Continue to the portal",
    login_no_provider: "That organisation does not log in through an identity provider. Log in with your e-mail address and password.",
    login_provider_failed: "The login through your organisation's identity provider did not go through. Start again; if it keeps failing, tell your administrator.",
    login_not_a_user: "Your organisation's identity provider knows you, but you are not an active user of the organisation in orgca. Ask one of its user administrators.",
    login_methods_title: "How your people log in",
    login_methods_provider: "Identity provider:",
    login_methods_no_provider: "No identity provider: everyone logs in with e-mail address and password.",
    login_methods_password_on: "Passwords work as well.",
    login_methods_password_off: "Passwords are switched off: only the identity provider logs people in.",
    login_methods_operator: "The orgca operator sets these; ask them to change them.",
    login_which_organisation: "Your address and password open accounts in several organisations. Give the CVR number of the one you want to log in to, and your password again.",
    password_title: "Set your password",
    password_intro: "Choose a password of at least 12 characters. A few words make a good one.",
    password_button: "Set password",
    password_link_dead: "This link has been used or has expired. Ask your administrator for a new one.",
    password_done: "Your password is set. Log in with it now.",
    form_expired: "This form has expired, or was not sent from orgca's own page. Open the page again and send the form from there.",
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
    block_done: "The certificate is blocked. Its contact person has been told by mail.",
    download_pem: "Download the certificate (PEM, with its CA certificates)",
    block_done_nobody_told: "The certificate is blocked. It has no contact person, so nobody was mailed.",
    block_already: "The certificate was blocked already; the first block stands, unchanged.",
    block_unconfirmed: "Tick the box to confirm that blocking cannot be undone.",
    reasons: [
        "The content is wrong",
        "The key is lost",
        "The key is compromised",
        "The holder has left the organisation",
        "Replaced by a new certificate",
    ],
    kinds: ["Employee", "Organisation", "System"],
    any_kind: "Any kind",
    directory_title: "Public directory",
    directory_intro: "People who want to send you an encrypted e-mail can then find your employee certificates by your exact e-mail address. Nobody can list or browse the directory.",
    directory_publish: "Publish my certificates in the directory",
    sign_title: "Sign a document",
    sign_intro: "orgca makes a certificate for this one signature, signs, and destroys the key. The signed file is not kept; the audit trail records that you signed it and its fingerprint.",
    sign_file: "File",
    sign_file_hint: "A PDF gets its signature inside it; any other file a separate signature file (.p7s). At most",
    sign_format: "Signature",
    sign_format_pades: "Inside the PDF (PAdES)",
    sign_format_cades: "Separate signature file, .p7s (CAdES), for any file",
    sign_as: "Sign as",
    sign_as_me: "Myself",
    sign_as_seal: "The organisation's seal:",
    sign_button: "Sign and download",
    sign_unreadable: "The upload could not be read. Choose the file again and send the form once more.",
    sign_too_large: "The file is larger than the signing service accepts",
    save_button: "Save",
    expiring_label: "Expires",
    expiring: ["Any time", "Within 30 days", "Within 90 days"],
    sort_label: "Sort by",
    sorts: ["Newest first", "Expiring first", "Name, A to Z"],
    export_button: "Export these as CSV",
    matching: "Certificates that match:",
    next_page: "Next page",
    first_page: "First page",
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
    no_profiles: "There is no organisation or system profile yet. Create one first:",
    profile_created: "The profile is created. Order certificates for it under Order.",
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
    seal_right: "Seal right",
    seal_yes: "May seal",
    seal_no: "May not seal",
    invited: "Invited",
    removed: "Removed by the directory",
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
    code_wrong: "The reference or the one-time code is wrong. Check both against what you were given; after 5 wrong codes the order is locked.",
    order_employee: "Order employee certificate",
    employee_ordered: "An employee certificate has been ordered. The user picks it up after logging in (they have been mailed). Reference",
    server_error: "Something went wrong on our side. Try again in a minute.",
    server_unavailable: "The service cannot reach its database or keys just now. Try again in a minute.",
    other_lang: "da",
    other_lang_name: "Dansk",
};

/// Danish.
pub static DA: Texts = Texts {
    lang: "da",
    product: "orgca",
    test_banner: "TESTMILJØ: certifikater herfra kan ikke bruges i virkeligheden",
    nav_overview: "Overblik",
    nav_certificates: "Certifikater",
    logout: "Log ud",
    login_title: "Log ind",
    login_intro: "Log ind med din e-mailadresse fra arbejdet og din adgangskode til orgca.",
    email: "E-mailadresse",
    password: "Adgangskode",
    password_again: "Adgangskode igen",
    login_button: "Log ind",
    login_organisation: "Organisationens CVR-nummer",
    login_wrong: "E-mailadressen eller adgangskoden er forkert. Efter 5 forkerte forsøg venter kontoen 15 minutter.",
    login_too_many: "For mange mislykkede log ind. Vent 15 minutter, og prøv igen, eller bed din administrator om et nyt link til adgangskoden.",
    code_too_many: "For mange forkerte koder fra dit netværk. Vent 15 minutter, og prøv igen.",
    login_sso_title: "Jeres organisations login",
    login_sso_intro: "Logger jeres organisation ind i orgca gennem sin egen identitetsudbyder (fx Entra ID eller Okta), så skriv dens CVR-nummer, og log ind dér.",
    login_sso_for: "Log ind gennem identitetsudbyderen hos",
    login_sso_organisation: "Jeres organisations CVR-nummer",
    login_sso_button: "Gå til jeres organisations login",
    login_sso_find: "Fortsæt",
    login_sso_done: "Du er logget ind",
    login_sso_continue: "Fortsæt til portalen",
    login_no_provider: "Den organisation logger ikke ind gennem en identitetsudbyder. Log ind med din e-mailadresse og adgangskode.",
    login_provider_failed: "Login gennem jeres organisations identitetsudbyder lykkedes ikke. Begynd forfra; bliver det ved med at mislykkes, så sig det til din administrator.",
    login_not_a_user: "Jeres organisations identitetsudbyder kender dig, men du er ikke aktiv bruger af organisationen i orgca. Spørg en af dens brugeradministratorer.",
    login_methods_title: "Sådan logger jeres folk ind",
    login_methods_provider: "Identitetsudbyder:",
    login_methods_no_provider: "Ingen identitetsudbyder: alle logger ind med e-mailadresse og adgangskode.",
    login_methods_password_on: "Adgangskoder virker også.",
    login_methods_password_off: "Adgangskoder er slået fra: kun identitetsudbyderen logger folk ind.",
    login_methods_operator: "orgca-operatøren indstiller dette; bed dem om at ændre det.",
    login_which_organisation: "Din adresse og adgangskode åbner konti i flere organisationer. Skriv CVR-nummeret på den, du vil logge ind i, og din adgangskode igen.",
    password_title: "Vælg din adgangskode",
    password_intro: "Vælg en adgangskode på mindst 12 tegn. Nogle få ord er en god adgangskode.",
    password_button: "Gem adgangskode",
    password_link_dead: "Linket er brugt eller udløbet. Bed din administrator om et nyt.",
    password_done: "Din adgangskode er gemt. Log ind med den nu.",
    form_expired: "Formularen er udløbet eller blev ikke sendt fra orgcas egen side. Åbn siden igen, og send formularen derfra.",
    overview_title: "Overblik",
    kind: "Type",
    status: "Status",
    active: "Aktiv",
    blocked: "Spærret",
    expired: "Udløbet",
    expiring_title: "Udløber inden for 90 dage",
    expiring_none: "Ingen certifikater udløber inden for 90 dage.",
    certificates_title: "Certifikater",
    search_label: "Søg",
    search_hint: "Navn, serienummer, subject-UUID eller e-mail",
    any_status: "Alle statusser",
    search_button: "Søg",
    name: "Navn",
    serial: "Serienummer",
    valid_from: "Gyldigt fra",
    valid_until: "Gyldigt til",
    no_certificates: "Ingen certifikater passer. Ryd søgningen for at se alle.",
    subject_uuid: "Subject-UUID",
    email_in_certificate: "E-mail i certifikatet",
    fingerprint: "SHA-256-fingeraftryk",
    issuer: "Udstedende CA",
    blocked_at: "Spærret",
    block_reason: "Årsag",
    blocked_by: "Spærret af",
    block_title: "Spær certifikatet",
    block_warning: "En spærring er endelig: modtagere ser den inden for sekunder, og den kan ikke fortrydes.",
    block_reason_label: "Hvorfor?",
    block_confirm: "Jeg forstår, at spærringen ikke kan fortrydes",
    block_button: "Spær certifikat",
    block_done: "Certifikatet er spærret. Kontaktpersonen har fået besked pr. mail.",
    download_pem: "Hent certifikatet (PEM, med CA-certifikaterne)",
    block_done_nobody_told: "Certifikatet er spærret. Det har ingen kontaktperson, så ingen har fået mail.",
    block_already: "Certifikatet var allerede spærret; den første spærring gælder uændret.",
    block_unconfirmed: "Sæt flueben for at bekræfte, at spærringen ikke kan fortrydes.",
    reasons: [
        "Indholdet er forkert",
        "Nøglen er mistet",
        "Nøglen er kompromitteret",
        "Indehaveren har forladt organisationen",
        "Erstattet af et nyt certifikat",
    ],
    kinds: ["Medarbejder", "Organisation", "System"],
    any_kind: "Alle typer",
    directory_title: "Offentligt opslag",
    directory_intro: "Så kan andre, der vil sende dig en krypteret e-mail, finde dine medarbejdercertifikater ud fra din præcise e-mailadresse. Ingen kan liste eller gennemse opslaget.",
    directory_publish: "Offentliggør mine certifikater i opslaget",
    sign_title: "Underskriv et dokument",
    sign_intro: "orgca laver et certifikat til netop denne underskrift, underskriver og sletter nøglen. Den underskrevne fil gemmes ikke; revisionssporet viser, at du underskrev den, og dens fingeraftryk.",
    sign_file: "Fil",
    sign_file_hint: "En PDF får underskriften indlejret; alle andre filer en separat underskriftsfil (.p7s). Højst",
    sign_format: "Underskrift",
    sign_format_pades: "I PDF'en (PAdES)",
    sign_format_cades: "Separat underskriftsfil, .p7s (CAdES), til enhver fil",
    sign_as: "Underskriv som",
    sign_as_me: "Mig selv",
    sign_as_seal: "Organisationens segl:",
    sign_button: "Underskriv og hent",
    sign_unreadable: "Filen kunne ikke læses. Vælg filen igen, og send formularen en gang til.",
    sign_too_large: "Filen er større, end underskriftstjenesten tager imod",
    save_button: "Gem",
    expiring_label: "Udløber",
    expiring: ["Når som helst", "Inden for 30 dage", "Inden for 90 dage"],
    sort_label: "Sortér efter",
    sorts: ["Nyeste først", "Udløber først", "Navn, A til Å"],
    export_button: "Eksportér disse som CSV",
    matching: "Certifikater, der passer:",
    next_page: "Næste side",
    first_page: "Første side",
    pickup_title: "Hent et certifikat",
    pickup_intro: "Skriv referencen fra e-mailen og engangskoden, som din administrator har givet dig.",
    reference: "Reference",
    one_time_code: "Engangskode",
    continue_button: "Fortsæt",
    pickup_confirm_title: "Kontrollér certifikatet",
    pickup_confirm_intro: "Det er dette certifikat, du er ved at hente. Kontrollér, at navn og CVR-nummer er rigtige.",
    organisation: "Organisation",
    cvr: "CVR-nummer",
    delivery: "Levering",
    delivery_pkcs12: "En PKCS#12-fil (.p12) med en nøgle lavet til dig, og dens adgangskode",
    delivery_csr: "Din egen nøgle: indsæt en certifikatanmodning (CSR)",
    csr_label: "Certifikatanmodning (PEM)",
    csr_hint: "Begynder med -----BEGIN CERTIFICATE REQUEST-----",
    terms_accept: "Jeg accepterer vilkårene for brug af certifikatet",
    terms_text: "Certifikatet er til organisationen ovenfor. Hold nøglen hemmelig, og spær certifikatet med det samme, hvis nøglen kan være mistet eller set af andre.",
    pickup_button: "Hent certifikat",
    terms_unaccepted: "Sæt flueben for at acceptere vilkårene.",
    pickup_done_title: "Dit certifikat er klar",
    pkcs12_password_intro: "Filens adgangskode. Den vises kun nu: skriv den ned eller kopiér den, før du forlader siden.",
    download_pkcs12: "Hent .p12-filen",
    download_chain: "Hent certifikat og kæde (PEM)",
    download_once: "Filen kan hentes én gang inden for 10 minutter.",
    download_gone: "Filen er hentet eller udløbet. Certifikatet er udstedt: bed din administrator spærre det og bestille et nyt, hvis du ikke fik gemt filen.",
    downloads_full: "For mange afhentninger venter på at blive hentet. Prøv igen om et par minutter.",
    nav_order: "Bestil",
    order_title: "Bestil et certifikat",
    order_intro: "Vælg profilen, certifikatet er til, og hvordan modtageren får nøglen. Modtageren henter det med en reference og en engangskode.",
    profile: "Profil",
    no_profiles: "Der er endnu ingen organisations- eller systemprofil. Opret en først:",
    profile_created: "Profilen er oprettet. Bestil certifikater til den under Bestil.",
    order_button: "Afgiv bestilling",
    ordered_title: "Bestilling afgivet",
    ordered_copy_now: "Kopiér engangskoden nu: den vises kun på denne side, og orgca gemmer den ikke. Giv den til modtageren ad en anden vej end e-mailen med referencen.",
    ordered_next: "Modtageren åbner /portal/pickup, skriver referencen og koden og henter certifikatet.",
    ordered_waits: "Certifikatet viser en e-mailadresse, som endnu ikke er bekræftet: der er sendt et link til den, og bestillingen kan hentes, når adressen er bekræftet.",
    print_hint: "Udskriv siden (uden menu og knapper), hvis du giver koden videre på papir.",
    admins_only: "Kun bruger- og organisationsadministratorer kan gøre dette.",
    email_title: "Bekræft din e-mailadresse",
    email_intro: "Et certifikat bestilt af din organisation kommer til at vise denne e-mailadresse. Bekræft, at adressen er din.",
    email_button: "Bekræft",
    email_done: "Tak: adressen er bekræftet.",
    email_orders_ready: "Bestillinger, der nu kan hentes:",
    waiting_title: "Certifikater, der venter på dig",
    waiting_for_email: "Venter på, at din e-mailadresse bliver bekræftet: åbn linket i mailen fra orgca.",
    nav_users: "Brugere",
    users_title: "Brugere",
    role: "Rolle",
    roles: [
        "Organisationsadministrator",
        "Brugeradministrator",
        "Bruger",
    ],
    deactivated: "Deaktiveret",
    seal_right: "Ret til segl",
    seal_yes: "Må forsegle",
    seal_no: "Må ikke forsegle",
    invited: "Inviteret",
    removed: "Fjernet af brugerkataloget",
    save: "Gem",
    send_link: "Send link til adgangskode",
    invite_title: "Invitér en bruger",
    given_name: "Fornavn",
    surname: "Efternavn",
    invite_button: "Invitér",
    link_sent: "Et link til adgangskode er sendt til",
    user_saved: "Gemt:",
    nav_profiles: "Profiler",
    profiles_title: "Certifikatprofiler",
    profiles_intro: "En profil siger, hvad et organisations- eller systemcertifikat viser, og hvem dets kontaktperson er. Bestillinger afgives til en profil.",
    new_profile_title: "Ny profil",
    edit_profile_title: "Redigér profil",
    contact_name: "Kontaktperson",
    contact_email: "Kontaktpersonens e-mailadresse",
    email_optional: "E-mailadresse i certifikatet (valgfri; den bekræftes før udstedelse)",
    allow_signing: "Må bruges til segl (signering på organisationens vegne)",
    publish: "Offentliggør certifikaterne i det offentlige katalog",
    create_button: "Opret profil",
    nav_settings: "Indstillinger",
    settings_title: "Organisationens indstillinger",
    setting_user_certificates: "Medarbejdercertifikater",
    setting_organisation_certificates: "Organisations- og systemcertifikater",
    setting_seals: "Retten til segl",
    org_admins_only: "Kun organisationsadministratorer kan gøre dette.",
    renew_title: "Forny",
    renew_text: "Bestil et nyt certifikat med de samme oplysninger. Det nye certifikat får ny nøgle og nyt serienummer; dette forbliver gyldigt, til du spærrer det.",
    renew_button: "Forny certifikat",
    history_title: "Historik",
    renews: "Fornyer",
    renewed_by: "Fornyet af",
    when: "Hvornår",
    event: "Hændelse",
    by: "Af",
    not_found: "Her er ingenting. Gå tilbage til overblikket.",
    code_wrong: "Referencen eller engangskoden er forkert. Kontrollér begge mod det, du har fået; efter 5 forkerte koder spærres bestillingen.",
    order_employee: "Bestil medarbejdercertifikat",
    employee_ordered: "Et medarbejdercertifikat er bestilt. Brugeren henter det efter at have logget ind (brugeren har fået en mail). Reference",
    server_error: "Noget gik galt hos os. Prøv igen om et minut.",
    server_unavailable: "Tjenesten kan ikke nå sin database eller sine nøgler lige nu. Prøv igen om et minut.",
    other_lang: "en",
    other_lang_name: "English",
};

/// The texts a request asks for: the `orgca_lang` cookie when set, else Danish when the
/// browser weighs Danish above English in Accept-Language (by q-value, then by order),
/// else English.
pub fn for_request(headers: &axum::http::HeaderMap) -> &'static Texts {
    use axum::http::header;
    let chosen = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix("orgca_lang="))
        .next();
    match chosen {
        Some("da") => return &DA,
        Some("en") => return &EN,
        _ => {}
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // (weight in thousandths, -position) of the best Danish and English tags.
    let mut best: [Option<(u16, i64)>; 2] = [None, None];
    for (position, item) in accept.split(',').take(32).enumerate() {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0)
            .clamp(0.0, 1.0);
        let slot = if tag == "da" || tag.starts_with("da-") {
            0
        } else if tag == "en" || tag.starts_with("en-") {
            1
        } else {
            continue;
        };
        // q has at most three decimals (RFC 9110): thousandths compare exactly.
        let rank = ((q * 1000.0).round() as u16, -(position as i64));
        if q > 0.0 && best[slot].is_none_or(|b| rank > b) {
            best[slot] = Some(rank);
        }
    }
    match best {
        [Some(da), Some(en)] if da > en => &DA,
        [Some(_), None] => &DA,
        _ => &EN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue, header};

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).expect("value"));
        h
    }

    #[test]
    fn danish_when_asked_for_first_or_chosen() {
        let lang = |h: &HeaderMap| for_request(h).lang;
        assert_eq!(lang(&HeaderMap::new()), "en");
        assert_eq!(
            lang(&with(header::ACCEPT_LANGUAGE, "da-DK,da;q=0.9,en;q=0.8")),
            "da"
        );
        assert_eq!(lang(&with(header::ACCEPT_LANGUAGE, "en-GB,da;q=0.5")), "en");
        assert_eq!(lang(&with(header::ACCEPT_LANGUAGE, "de, da")), "da");
        // Weights count before order; q=0 means "not this one"; odd input is English.
        assert_eq!(
            lang(&with(header::ACCEPT_LANGUAGE, "en;q=0.4, da;q=0.8")),
            "da"
        );
        assert_eq!(lang(&with(header::ACCEPT_LANGUAGE, "da;q=0.3, en")), "en");
        assert_eq!(lang(&with(header::ACCEPT_LANGUAGE, "da;q=0")), "en");
        assert_eq!(lang(&with(header::ACCEPT_LANGUAGE, "dansk, ;;;q=x")), "en");
        assert_eq!(lang(&with(header::COOKIE, "a=b; orgca_lang=da")), "da");
        let mut both = with(header::ACCEPT_LANGUAGE, "da");
        both.insert(header::COOKIE, HeaderValue::from_static("orgca_lang=en"));
        assert_eq!(lang(&both), "en");
    }
}
