//! Users of the organisation, for administrators: invite (a password link by mail),
//! change role or status, send a new password link.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use orgca_model::Role;
use orgca_ra::caller::{NewUserRequest, UserPatch};
use orgca_store::{User, UserStatus};
use serde::Deserialize;
use uuid::Uuid;

use super::Posted;
use super::pages::Choice;
use super::text::Texts;
use super::{Chrome, Session, fault, message, render};
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
    }
}

async fn users_page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    form: InviteForm,
) -> Response {
    let t = session.t;
    let chrome = match session.admin_chrome(state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let users = match orgca_ra::caller::users(&state.store, &session.user).await {
        Ok(u) => u,
        Err(e) => return fault(t, &e),
    };
    let chosen = Role::parse(&form.role).unwrap_or(Role::User);
    render(
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
    )
}

/// `GET /portal/users`.
pub(crate) async fn list(State(state): State<AppState>, session: Session) -> Response {
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

/// Mails `user` a password link from the session's user, then the users page saying so
/// (or why not).
async fn link_sent_page(state: &AppState, session: &Session, user: &User) -> Response {
    let t = session.t;
    let sent = orgca_ra::login::send_password_link(
        &state.store,
        &state.policy,
        &orgca_ra::login::LoginPolicy::default(),
        user,
        &session.user.id.to_string(),
        state.now(),
    )
    .await;
    let done = sent.map(|_| format!("{} {}", t.link_sent, user.email));
    users_page_after(state, session, done).await
}

/// The users page after an action: its notice, or why it was refused (a server fault
/// is a fault page).
async fn users_page_after(
    state: &AppState,
    session: &Session,
    done: Result<String, orgca_ra::RaError>,
) -> Response {
    let (status, notice, error) = match done {
        Ok(notice) => (StatusCode::OK, Some(notice), None),
        Err(e) if e.is_client_error() => {
            (StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string()))
        }
        Err(e) => return fault(session.t, &e),
    };
    users_page(state, session, status, notice, error, InviteForm::default()).await
}

/// `POST /portal/users`: creates the user and mails them a password link.
pub(crate) async fn invite(
    State(state): State<AppState>,
    Posted { session, form }: Posted<InviteForm>,
) -> Response {
    let t = session.t;
    let req = NewUserRequest {
        email: form.email.clone(),
        given_name: form.given_name.clone(),
        surname: form.surname.clone(),
        role: form.role.clone(),
        seal: false,
    };
    let user =
        match orgca_ra::caller::create_user(&state.store, &session.user, &req, state.now()).await {
            Ok(u) => u,
            Err(e) if e.is_client_error() => {
                let why = e.to_string();
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
            Err(e) => return fault(t, &e),
        };
    link_sent_page(&state, &session, &user).await
}

/// `POST /portal/users/{id}`: role and status.
pub(crate) async fn change(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { session, form }: Posted<ChangeForm>,
) -> Response {
    let t = session.t;
    let Ok(id) = Uuid::parse_str(&id) else {
        return message(t, StatusCode::NOT_FOUND, None, t.not_found);
    };
    let patch = UserPatch {
        role: form.role,
        seal: None,
        status: form.status,
        publish: None,
    };
    let done = orgca_ra::caller::change_user(&state.store, &session.user, id, &patch, state.now())
        .await
        .map(|u| format!("{} {}", t.user_saved, u.email));
    users_page_after(&state, &session, done).await
}

/// `POST /portal/users/{id}/password-link`.
pub(crate) async fn password_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { session, .. }: Posted<CsrfOnly>,
) -> Response {
    let t = session.t;
    if !session.user.role.administers_users() {
        return message(t, StatusCode::FORBIDDEN, None, t.admins_only);
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return message(t, StatusCode::NOT_FOUND, None, t.not_found);
    };
    let user = match orgca_ra::caller::user(&state.store, &session.user, id).await {
        Ok(u) => u,
        Err(e) if e.is_client_error() => {
            let why = e.to_string();
            return users_page(
                &state,
                &session,
                StatusCode::NOT_FOUND,
                None,
                Some(why),
                InviteForm::default(),
            )
            .await;
        }
        Err(e) => return fault(t, &e),
    };
    link_sent_page(&state, &session, &user).await
}

/// `POST /portal/users/{id}/order`: an employee certificate for the user, picked up by
/// them after logging in, as a PKCS#12.
pub(crate) async fn order(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { session, .. }: Posted<CsrfOnly>,
) -> Response {
    let t = session.t;
    let Ok(id) = Uuid::parse_str(&id) else {
        return message(t, StatusCode::NOT_FOUND, None, t.not_found);
    };
    let req = orgca_ra::orders::OrderRequest {
        identification: orgca_store::Identification::UserLogin,
        issuance: orgca_store::Issuance::Pkcs12,
    };
    let done = orgca_ra::employee::order_for_user(
        &state.store,
        &session.user,
        id,
        req,
        &state.policy,
        None,
        state.now(),
    )
    .await
    .map(|p| format!("{} {}", t.employee_ordered, p.order.reference));
    users_page_after(&state, &session, done).await
}

super::session_forms!(InviteForm, ChangeForm, CsrfOnly);
