//! `orgca demo`: a complete start on this machine. The first run makes a test
//! organisation with an administrator and prints, once, the portal's address, a link to
//! set the administrator's password and an API token; later runs print the address and
//! how to get a new link. Never for production: the public URL is where it listens.

use std::net::{IpAddr, SocketAddr};

use orgca_model::{Environment, UnixTime};
use orgca_ra::{NewUserRequest, Ra};

use crate::context::Context;

/// CVR of the demo's test organisation (fictitious, starts with 9 as test CVRs do).
pub(super) const DEMO_CVR: &str = "99999999";

/// The demo administrator's address (`.test` is reserved: no such mailbox exists;
/// mail goes to the outbox folder).
pub(super) const DEMO_ADMIN: &str = "admin@demo.orgca.test";

/// The base URL of a demo listening on `addr`: its own address, `localhost` for a
/// loopback or unspecified one (so that a browser on this machine reaches it).
pub(super) fn url_of(addr: SocketAddr) -> String {
    let port = addr.port();
    match addr.ip() {
        ip if ip.is_loopback() || ip.is_unspecified() => format!("http://localhost:{port}"),
        IpAddr::V4(ip) => format!("http://{ip}:{port}"),
        IpAddr::V6(ip) => format!("http://[{ip}]:{port}"),
    }
}

/// Makes the test organisation and its administrator if they are missing; answers what
/// tells the person at the terminal how to go on.
pub(super) async fn welcome(ctx: &Context, ra: &Ra, now: UnixTime) -> anyhow::Result<String> {
    let settings = ctx.config.settings()?;
    let portal = format!(
        "{}/portal",
        ctx.config
            .portal_base_url
            .as_deref()
            .unwrap_or(&settings.public_base_url)
            .trim_end_matches('/')
    );
    if ra.find_organisation(DEMO_CVR).await?.is_none() {
        let name = format!("Testorganisation nr. {DEMO_CVR}");
        ra.create_organisation(DEMO_CVR, &name, Environment::Test, "operator", now)
            .await?;
    }
    let operator = ra.operator_cli(DEMO_CVR).await?;
    let data = ctx.data.root.display();
    if ra
        .users(&operator)
        .await?
        .iter()
        .any(|u| u.email == DEMO_ADMIN)
    {
        return Ok(format!(
            "demo: the portal is at {portal}; log in as {DEMO_ADMIN}.\n\
             demo: a new password link: orgca user password-link --email {DEMO_ADMIN} --data {data}"
        ));
    }
    let admin = NewUserRequest {
        email: DEMO_ADMIN.into(),
        given_name: "Demo".into(),
        surname: "Administrator".into(),
        role: "org_admin".into(),
        seal: true,
    };
    ra.create_user(&operator, &admin, now).await?;
    let (_, link) = ra
        .operator_password_link(DEMO_ADMIN, Some(DEMO_CVR), now)
        .await?;
    let (token, _) = ra
        .create_token(DEMO_ADMIN, Some(DEMO_CVR), "operator", now)
        .await?;
    Ok(format!(
        "\n\
         demo: a trial on this machine (data in {data}; certificates name {base}).\n\
         demo: test organisation {DEMO_CVR}, administrator {DEMO_ADMIN}. Shown once:\n\
         \n\
         \x20 1. set the administrator's password (the link works once, for 7 days):\n\
         \x20    {link}\n\
         \x20 2. log in to the portal:\n\
         \x20    {portal}\n\
         \x20 3. or use the API with this token (stored only as a hash):\n\
         \x20    curl -H 'Authorization: Bearer {token}' {base}/api/v1/organisation\n\
         \x20    the API's description: {base}/api/v1/openapi.json\n\
         \n\
         demo: mail goes to {data}/outbox (no SMTP server is configured).\n",
        base = settings.public_base_url,
    ))
}
