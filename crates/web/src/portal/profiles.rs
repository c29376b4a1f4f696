//! Certificate profiles (administrators: list, create, edit) and the organisation's
//! settings (organisation administrators: which kinds are on, the seal right).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use orgca_model::{CertKind, Role};
use orgca_ra::caller::{Contact, ProfilePatch, ProfileRequest};
use orgca_store::SettingsChange;
use serde::Deserialize;
use uuid::Uuid;

use super::Posted;
use super::pages::{Choice, kind_text};
use super::text::Texts;
use super::{Chrome, Session, fault, message, render};
use crate::AppState;

/// A profile row.
struct ProfileRow {
    id: Uuid,
    name: String,
    kind: &'static str,
    email: String,
    contact: String,
}

/// The profile form, as typed (kept when it comes back with an error).
#[derive(Deserialize, Default)]
pub(crate) struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    allow_signing: String,
    #[serde(default)]
    publish: String,
}

#[derive(Template)]
#[template(path = "profiles.html")]
struct ProfilesPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    profiles: Vec<ProfileRow>,
    kinds: Vec<Choice>,
    form: ProfileForm,
    action: &'static str,
    button: &'static str,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    kinds: Vec<Choice>,
    form: ProfileForm,
    action: String,
    button: &'static str,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    t: &'static Texts,
    chrome: Option<Chrome>,
    section: &'static str,
    notice: Option<String>,
    error: Option<String>,
    csrf: String,
    user_certificates: bool,
    organisation_certificates: bool,
    seals: bool,
}

async fn profiles_page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    error: Option<String>,
    form: ProfileForm,
) -> Response {
    let t = session.t;
    let chrome = match session.admin_chrome(state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let profiles = match orgca_ra::caller::profiles(&state.store, &session.user).await {
        Ok(p) => p,
        Err(e) => return fault(t, &e),
    };
    let kinds = [CertKind::Organisation, CertKind::System]
        .into_iter()
        .map(|k| Choice {
            key: k.as_str().into(),
            label: kind_text(t, k).into(),
            selected: form.kind == k.as_str(),
        })
        .collect();
    render(
        status,
        &ProfilesPage {
            t,
            chrome: Some(chrome),
            section: "profiles",
            notice: None,
            error,
            csrf: session.csrf.clone(),
            profiles: profiles
                .iter()
                .map(|p| ProfileRow {
                    id: p.id,
                    name: p.name.clone(),
                    kind: kind_text(t, p.kind),
                    email: p.email.clone().unwrap_or_default(),
                    contact: format!("{} <{}>", p.contact_name, p.contact_email),
                })
                .collect(),
            kinds,
            form,
            action: "/portal/profiles",
            button: t.create_button,
        },
    )
}

/// `GET /portal/profiles`.
pub(crate) async fn list(State(state): State<AppState>, session: Session) -> Response {
    profiles_page(
        &state,
        &session,
        StatusCode::OK,
        None,
        ProfileForm::default(),
    )
    .await
}

/// `POST /portal/profiles`.
pub(crate) async fn create(
    State(state): State<AppState>,
    Posted { session, form }: Posted<ProfileForm>,
) -> Response {
    let t = session.t;
    let req = ProfileRequest {
        kind: form.kind.clone(),
        name: form.name.clone(),
        email: Some(form.email.trim().to_owned()).filter(|e| !e.is_empty()),
        contact: Contact {
            name: form.contact_name.clone(),
            email: form.contact_email.clone(),
        },
        allow_signing: form.allow_signing == "yes",
        publish: form.publish == "yes",
    };
    match orgca_ra::caller::create_profile(&state.store, &session.user, &req, state.now()).await {
        Ok(p) => Redirect::to(&format!("/portal/profiles/{}", p.id)).into_response(),
        Err(e) if e.is_client_error() => {
            let why = e.to_string();
            profiles_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(why),
                form,
            )
            .await
        }
        Err(e) => fault(t, &e),
    }
}

async fn profile_page(
    state: &AppState,
    session: &Session,
    id: &str,
    status: StatusCode,
    error: Option<String>,
    typed: Option<ProfileForm>,
) -> Response {
    let t = session.t;
    let chrome = match session.admin_chrome(state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(uuid) = Uuid::parse_str(id) else {
        return message(t, StatusCode::NOT_FOUND, Some(chrome), t.not_found);
    };
    let p = match orgca_ra::caller::profile(&state.store, &session.user, uuid).await {
        Ok(p) => p,
        Err(e) if e.is_client_error() => {
            return message(t, StatusCode::NOT_FOUND, Some(chrome), t.not_found);
        }
        Err(e) => return fault(t, &e),
    };
    let form = typed.unwrap_or_else(|| ProfileForm {
        csrf: String::new(),
        kind: p.kind.as_str().into(),
        name: p.name.clone(),
        email: p.email.clone().unwrap_or_default(),
        contact_name: p.contact_name.clone(),
        contact_email: p.contact_email.clone(),
        allow_signing: if p.allow_signing {
            "yes".into()
        } else {
            String::new()
        },
        publish: if p.publish {
            "yes".into()
        } else {
            String::new()
        },
    });
    render(
        status,
        &ProfilePage {
            t,
            chrome: Some(chrome),
            section: "profiles",
            notice: None,
            error,
            csrf: session.csrf.clone(),
            kinds: Vec::new(),
            form,
            action: format!("/portal/profiles/{uuid}"),
            button: t.save,
        },
    )
}

/// `GET /portal/profiles/{id}`.
pub(crate) async fn show(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    profile_page(&state, &session, &id, StatusCode::OK, None, None).await
}

/// `POST /portal/profiles/{id}`: saves the form (the kind cannot change).
pub(crate) async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { session, form }: Posted<ProfileForm>,
) -> Response {
    let t = session.t;
    let Ok(uuid) = Uuid::parse_str(&id) else {
        return message(t, StatusCode::NOT_FOUND, None, t.not_found);
    };
    let email = form.email.trim();
    let patch = ProfilePatch {
        name: Some(form.name.clone()),
        email: Some((!email.is_empty()).then(|| email.to_owned())),
        contact: Some(Contact {
            name: form.contact_name.clone(),
            email: form.contact_email.clone(),
        }),
        allow_signing: Some(form.allow_signing == "yes"),
        publish: Some(form.publish == "yes"),
    };
    match orgca_ra::caller::change_profile(&state.store, &session.user, uuid, &patch, state.now())
        .await
    {
        Ok(_) => Redirect::to("/portal/profiles").into_response(),
        Err(e) if e.is_client_error() => {
            let why = e.to_string();
            profile_page(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(why),
                Some(form),
            )
            .await
        }
        Err(e) => fault(t, &e),
    }
}

async fn settings_page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let t = session.t;
    let chrome = match session.chrome(state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if session.user.role != Role::OrgAdmin {
        return message(t, StatusCode::FORBIDDEN, Some(chrome), t.org_admins_only);
    }
    let org = match orgca_ra::caller::organisation(&state.store, &session.user).await {
        Ok(o) => o,
        Err(e) => return fault(t, &e),
    };
    render(
        status,
        &SettingsPage {
            t,
            chrome: Some(chrome),
            section: "settings",
            notice,
            error,
            csrf: session.csrf.clone(),
            user_certificates: org.settings.user_certificates,
            organisation_certificates: org.settings.organisation_certificates,
            seals: org.settings.seals,
        },
    )
}

/// `GET /portal/settings`.
pub(crate) async fn settings(State(state): State<AppState>, session: Session) -> Response {
    settings_page(&state, &session, StatusCode::OK, None, None).await
}

/// The settings form: an unticked box is absent.
#[derive(Deserialize)]
pub(crate) struct SettingsForm {
    #[serde(default)]
    csrf: String,
    user_certificates: Option<String>,
    organisation_certificates: Option<String>,
    seals: Option<String>,
}

/// `POST /portal/settings`.
pub(crate) async fn save_settings(
    State(state): State<AppState>,
    Posted { session, form }: Posted<SettingsForm>,
) -> Response {
    let t = session.t;
    let change = SettingsChange {
        user_certificates: Some(form.user_certificates.is_some()),
        organisation_certificates: Some(form.organisation_certificates.is_some()),
        seals: Some(form.seals.is_some()),
    };
    match orgca_ra::caller::change_settings(&state.store, &session.user, change, state.now()).await
    {
        Ok(_) => {
            settings_page(
                &state,
                &session,
                StatusCode::OK,
                Some(format!("{} {}", t.user_saved, t.settings_title)),
                None,
            )
            .await
        }
        Err(e) if e.is_client_error() => {
            let why = e.to_string();
            settings_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(why),
            )
            .await
        }
        Err(e) => fault(t, &e),
    }
}

super::session_forms!(ProfileForm, SettingsForm);
