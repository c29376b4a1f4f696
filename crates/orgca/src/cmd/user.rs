//! `orgca user create|list` and `orgca token create`.

use orgca_model::UnixTime;

use crate::cli::{Global, TokenCommand, UserCommand};
use crate::cmd::print_json;
use crate::context::Context;
use crate::exit;

/// Runs a `user` subcommand.
pub async fn run_user(global: &Global, cmd: &UserCommand, now: UnixTime) -> anyhow::Result<u8> {
    let ctx = Context::open(global).await?;
    let ra = ctx.ra_without_keys()?;
    match cmd {
        UserCommand::Create {
            org,
            email,
            given_name,
            surname,
            role,
            seal,
        } => {
            let req = orgca_ra::NewUserRequest {
                email: email.clone(),
                given_name: given_name.clone(),
                surname: surname.clone(),
                role: role.clone(),
                seal: *seal,
            };
            let operator = ra.operator_cli(org).await?;
            let user = ra.create_user(&operator, &req, now).await?;
            if global.json {
                print_json(&user_json(&user))?;
            } else {
                println!(
                    "created {} user {} ({} {}), id {}",
                    user.role, user.email, user.given_name, user.surname, user.id
                );
            }
        }
        UserCommand::PasswordLink { email, org } => {
            let (user, link) = ra
                .operator_password_link(email, org.as_deref(), now)
                .await?;
            if global.json {
                print_json(
                    &serde_json::json!({"user": user.id, "email": user.email, "link": link}),
                )?;
            } else {
                println!("mailed to {}: {link}", user.email);
            }
        }
        UserCommand::List { org } => {
            let operator = ra.operator_cli(org).await?;
            let users = ra.users(&operator).await?;
            if global.json {
                print_json(&users.iter().map(user_json).collect::<Vec<_>>())?;
            } else {
                for u in &users {
                    let seal = if u.seal { " seal" } else { "" };
                    println!(
                        "{:<32} {:<10} {:<11}{seal}  {} {}",
                        u.email,
                        u.role.as_str(),
                        u.status.as_str(),
                        u.given_name,
                        u.surname
                    );
                }
            }
        }
    }
    Ok(exit::OK)
}

fn user_json(u: &orgca_model::User) -> serde_json::Value {
    serde_json::json!({
        "id": u.id, "org_id": u.org_id, "email": u.email, "given_name": u.given_name,
        "surname": u.surname, "role": u.role, "seal": u.seal, "status": u.status,
        "created_at": u.created_at.rfc3339(), "external_id": u.external_id,
        "directory_name": u.directory_name,
    })
}

/// Runs a `token` subcommand. The token goes to standard output once; it is not kept.
pub async fn run_token(global: &Global, cmd: &TokenCommand, now: UnixTime) -> anyhow::Result<u8> {
    let TokenCommand::Create {
        user,
        org,
        operator,
        name,
    } = cmd;
    let ctx = Context::open(global).await?;
    let ra = ctx.ra_without_keys()?;
    let Some(user) = user.as_deref().filter(|_| !operator) else {
        let (token, op) = ra.create_operator_token(name, "operator", now).await?;
        if global.json {
            print_json(&serde_json::json!({"token": token, "operator": op.name, "id": op.id}))?;
        } else {
            println!("{token}");
            eprintln!(
                "operator token {:?} (id {}): acts for any organisation; shown once, stored only as a hash",
                op.name, op.id
            );
        }
        return Ok(exit::OK);
    };
    let (token, user) = ra
        .create_token(user, org.as_deref(), "operator", now)
        .await?;
    if global.json {
        print_json(&serde_json::json!({"token": token, "user": user.email}))?;
    } else {
        println!("{token}");
        eprintln!(
            "API token for {}: shown once, stored only as a hash",
            user.email
        );
    }
    Ok(exit::OK)
}
