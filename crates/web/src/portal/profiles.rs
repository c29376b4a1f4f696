//! Certificate profiles (administrators: list, create, edit) and the organisation's
//! settings (organisation administrators: which kinds are on, the seal right).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use orgca_model::{CertKind, SettingsChange};
use orgca_ra::{Contact, ProfilePatch, ProfileRequest};
use serde::Deserialize;
use uuid::Uuid;

use super::Posted;
use super::pages::{Choice, kind_text};
use super::text::Texts;
use super::{Chrome, OnPage, Page, Session, parse_id, render};
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
    /// How the organisation's people log in (set by the operator).
    login_methods: orgca_ra::sso::LoginMethods,
}

async fn profiles_page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    error: Option<String>,
    form: ProfileForm,
) -> Page {
    let t = session.t;
    let chrome = session.admin_chrome(state).await?;
    let profiles = state.ra.profiles(&session.caller).await.or_fault(t)?;
    let kinds = [CertKind::Organisation, CertKind::System]
        .into_iter()
        .map(|k| Choice {
            key: k.as_str().into(),
            label: kind_text(t, k).into(),
            selected: form.kind == k.as_str(),
        })
        .collect();
    Ok(render(
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
    ))
}

/// `GET /portal/profiles`.
pub(crate) async fn list(State(state): State<AppState>, session: Session) -> Page {
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
) -> Page {
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
    match state
        .ra
        .create_profile(&session.caller, &req, state.now())
        .await
        .or_refusal(t)?
    {
        Ok(p) => Ok(Redirect::to(&format!("/portal/profiles/{}?created=1", p.id)).into_response()),
        Err(why) => {
            profiles_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(why),
                form,
            )
            .await
        }
    }
}

async fn profile_page(
    state: &AppState,
    session: &Session,
    id: &str,
    status: StatusCode,
    (notice, error): (Option<String>, Option<String>),
    typed: Option<ProfileForm>,
) -> Page {
    let t = session.t;
    let chrome = session.admin_chrome(state).await?;
    let uuid = parse_id(t, id, Some(&chrome))?;
    let p = state
        .ra
        .profile(&session.caller, uuid)
        .await
        .or_not_found(t, &chrome)?;
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
    Ok(render(
        status,
        &ProfilePage {
            t,
            chrome: Some(chrome),
            section: "profiles",
            notice,
            error,
            csrf: session.csrf.clone(),
            kinds: Vec::new(),
            form,
            action: format!("/portal/profiles/{uuid}"),
            button: t.save,
        },
    ))
}

/// `GET /portal/profiles/{id}` (`?created=1` right after it was made).
pub(crate) async fn show(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Query(q): Query<CreatedQuery>,
) -> Page {
    let notice = q
        .created
        .is_some()
        .then(|| session.t.profile_created.to_owned());
    profile_page(&state, &session, &id, StatusCode::OK, (notice, None), None).await
}

/// `?created=1` after a profile was made.
#[derive(Deserialize)]
pub(crate) struct CreatedQuery {
    created: Option<String>,
}

/// `POST /portal/profiles/{id}`: saves the form (the kind cannot change).
pub(crate) async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { session, form }: Posted<ProfileForm>,
) -> Page {
    let t = session.t;
    let uuid = parse_id(t, &id, None)?;
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
    match state
        .ra
        .change_profile(&session.caller, uuid, &patch, state.now())
        .await
        .or_refusal(t)?
    {
        Ok(_) => Ok(Redirect::to("/portal/profiles").into_response()),
        Err(why) => {
            profile_page(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                (None, Some(why)),
                Some(form),
            )
            .await
        }
    }
}

async fn settings_page(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> Page {
    let t = session.t;
    let chrome = session.org_admin_chrome(state).await?;
    let org = state.ra.organisation(&session.caller).await.or_fault(t)?;
    let login_methods = state.ra.login_methods(&org).await.or_fault(t)?;
    Ok(render(
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
            login_methods,
        },
    ))
}

/// `GET /portal/settings`.
pub(crate) async fn settings(State(state): State<AppState>, session: Session) -> Page {
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
) -> Page {
    let t = session.t;
    let change = SettingsChange {
        user_certificates: Some(form.user_certificates.is_some()),
        organisation_certificates: Some(form.organisation_certificates.is_some()),
        seals: Some(form.seals.is_some()),
    };
    match state
        .ra
        .change_settings(&session.caller, change, state.now())
        .await
        .or_refusal(t)?
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
        Err(why) => {
            settings_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(why),
            )
            .await
        }
    }
}

super::session_forms!(ProfileForm, SettingsForm);
