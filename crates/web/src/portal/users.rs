//! Users of the organisation, for administrators: invite (a password link by mail),
//! change role or status, send a new password link.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use orgca_model::{Role, User, UserStatus};
use orgca_ra::{NewUserRequest, RaError, UserPatch};
use serde::Deserialize;
use uuid::Uuid;

use super::Posted;
use super::pages::Choice;
use super::text::Texts;
use super::{Chrome, OnPage, Page, Session, message, parse_id, render};
use crate::AppState;

/// A user as the table shows them.
struct UserRow {
    id: Uuid,
    name: String,
    email: String,
    me: bool,
    role_label: &'static str,
    status_label: &'static str,
    roles: Vec<Choice>,
    statuses: Vec<Choice>,
    /// Whether they hold the seal right, and the choice an organisation administrator
    /// changes it with.
    seal_label: &'static str,
    seals: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    users: Vec<UserRow>,
    new_roles: Vec<Choice>,
    form: InviteForm,
}

/// The invite form (kept when it comes back with an error).
#[derive(Deserialize, Default)]
pub(crate) struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    surname: String,
    #[serde(default)]
    role: String,
}

/// The change form.
#[derive(Deserialize)]
pub(crate) struct ChangeForm {
    #[serde(default)]
    csrf: String,
    role: Option<String>,
    status: Option<String>,
    /// `yes` or `no`; sent only by an organisation administrator's form.
    seal: Option<String>,
}

/// A form with only the CSRF token.
#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

const ROLES: [Role; 3] = [Role::OrgAdmin, Role::UserAdmin, Role::User];

fn role_label(t: &'static Texts, r: Role) -> &'static str {
    ROLES
        .iter()
        .position(|x| *x == r)
        .map_or("", |i| t.roles[i])
}

fn role_choices(t: &'static Texts, selected: Role) -> Vec<Choice> {
    ROLES
        .iter()
        .map(|r| Choice {
            key: r.as_str().into(),
            label: role_label(t, *r).into(),
            selected: *r == selected,
        })
        .collect()
}

fn row(t: &'static Texts, u: &User, me: &User) -> UserRow {
    let status_label = match u.status {
        UserStatus::Active => t.active,
        UserStatus::Deactivated => t.deactivated,
        UserStatus::Invited => t.invited,
        UserStatus::Removed => t.removed,
    };
    UserRow {
        id: u.id,
        name: format!("{} {}", u.given_name, u.surname),
        email: u.email.clone(),
        me: u.id == me.id,
        role_label: role_label(t, u.role),
        status_label,
        roles: role_choices(t, u.role),
        statuses: [("active", t.active), ("deactivated", t.deactivated)]
            .into_iter()
            .map(|(key, label)| Choice {
                key: key.into(),
                label: label.into(),
                selected: u.status.as_str() == key,
            })
            .collect(),
        seal_label: if u.seal { t.seal_yes } else { t.seal_no },
        seals: [("yes", t.seal_yes, true), ("no", t.seal_no, false)]
            .into_iter()
            .map(|(key, label, seal)| Choice {
                key: key.into(),
                label: label.into(),
                selected: u.seal == seal,
            })
            .collect(),
    }
}

async fn users_page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    form: InviteForm,
) -> Page {
    let t = session.t;
    let chrome = session.admin_chrome(state).await?;
    let users = state.ra.users(&session.caller).await.or_fault(t)?;
    let chosen = Role::parse(&form.role).unwrap_or(Role::User);
    Ok(render(
        status,
        &UsersPage {
            t,
            chrome: Some(chrome),
            section: "users",
            notice,
            error,
            csrf: session.csrf.clone(),
            users: users.iter().map(|u| row(t, u, &session.user)).collect(),
            new_roles: role_choices(t, chosen),
            form,
        },
    ))
}

/// `GET /portal/users`.
pub(crate) async fn list(State(state): State<AppState>, session: Session) -> Page {
    users_page(
        &state,
        &session,
        StatusCode::OK,
        None,
        None,
        InviteForm::default(),
    )
    .await
}

/// Mails the user with this id a password link from the session's user, then the users
/// page saying so (or why not).
async fn link_sent_page(state: &AppState, session: &Session, user: Uuid) -> Page {
    let t = session.t;
    let sent = state
        .ra
        .send_password_link(&session.caller, user, state.now())
        .await;
    let done = sent.map(|user| format!("{} {}", t.link_sent, user.email));
    users_page_after(state, session, done).await
}

/// The users page after an action: its notice, or why it was refused (404 for a user
/// not in the organisation; a server fault is a fault page).
async fn users_page_after(
    state: &AppState,
    session: &Session,
    done: Result<String, RaError>,
) -> Page {
    let status = match &done {
        Err(RaError::NotFound(_)) => StatusCode::NOT_FOUND,
        Err(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Ok(_) => StatusCode::OK,
    };
    let (notice, error) = match done.or_refusal(session.t)? {
        Ok(notice) => (Some(notice), None),
        Err(why) => (None, Some(why)),
    };
    users_page(state, session, status, notice, error, InviteForm::default()).await
}

/// `POST /portal/users`: creates the user and mails them a password link.
pub(crate) async fn invite(
    State(state): State<AppState>,
    Posted { session, form }: Posted<InviteForm>,
) -> Page {
    let t = session.t;
    let req = NewUserRequest {
        email: form.email.clone(),
        given_name: form.given_name.clone(),
        surname: form.surname.clone(),
        role: form.role.clone(),
        seal: false,
    };
    let user = match state
        .ra
        .create_user(&session.caller, &req, state.now())
        .await
        .or_refusal(t)?
    {
        Ok(u) => u,
        Err(why) => {
            return users_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(why),
                form,
            )
            .await;
        }
    };
    link_sent_page(&state, &session, user.id).await
}

/// `POST /portal/users/{id}`: role and status.
pub(crate) async fn change(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { session, form }: Posted<ChangeForm>,
) -> Page {
    let t = session.t;
    let id = parse_id(t, &id, None)?;
    let seal = match form.seal.as_deref() {
        None => None,
        Some("yes") => Some(true),
        Some("no") => Some(false),
        Some(_) => return Err(message(t, StatusCode::BAD_REQUEST, None, t.form_expired)),
    };
    let patch = UserPatch {
        role: form.role,
        seal,
        status: form.status,
        publish: None,
    };
    let done = state
        .ra
        .change_user(&session.caller, id, &patch, state.now())
        .await
        .map(|u| format!("{} {}", t.user_saved, u.email));
    users_page_after(&state, &session, done).await
}

/// `POST /portal/users/{id}/password-link`.
pub(crate) async fn password_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { session, .. }: Posted<CsrfOnly>,
) -> Page {
    let t = session.t;
    if !session.user.role.administers_users() {
        return Err(message(t, StatusCode::FORBIDDEN, None, t.admins_only));
    }
    let id = parse_id(t, &id, None)?;
    link_sent_page(&state, &session, id).await
}

/// `POST /portal/users/{id}/order`: an employee certificate for the user, picked up by
/// them after logging in, as a PKCS#12.
pub(crate) async fn order(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { session, .. }: Posted<CsrfOnly>,
) -> Page {
    let t = session.t;
    let id = parse_id(t, &id, None)?;
    let req = orgca_ra::orders::OrderRequest {
        identification: orgca_model::Identification::UserLogin,
        issuance: orgca_model::Issuance::Pkcs12,
    };
    let done = state
        .ra
        .order_for_user(&session.caller, id, req, None, state.now())
        .await
        .map(|p| format!("{} {}", t.employee_ordered, p.order.reference));
    users_page_after(&state, &session, done).await
}

super::session_forms!(InviteForm, ChangeForm, CsrfOnly);
