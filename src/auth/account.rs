//! The account page: name, email, sign-in methods, password, other sessions,
//! and deleting the account.

use askama::Template;
use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{
    CurrentUser, clean_name, password, queries,
    session::{sign_out, start},
};
use crate::{
    audit::queries::Actor,
    db::WorkspaceTx,
    error::{AppError, AppResult},
    state::AppState,
    tenancy::deletion,
    web::{Layout, flash, invalid_form, page},
};

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountView {
    layout: Layout,
    name: String,
    email: String,
    has_password: bool,
    /// Signing in asks for a code from an authenticator app.
    two_factor_on: bool,
    email_verified: bool,
    /// Linked providers and the email each gave.
    linked: Vec<(crate::oauth::Provider, String)>,
    /// Configured providers not linked yet.
    linkable: Vec<crate::oauth::Provider>,
    name_error: Option<&'static str>,
    password_error: Option<String>,
    delete_error: Option<String>,
    /// Which notifications the person gets, per kind, in the app and by mail.
    notice_choices: Vec<crate::tenancy::notices::choices::Choice>,
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm_email: String,
}

async fn view(state: &AppState, user: &CurrentUser, layout: Layout) -> AppResult<AccountView> {
    let stored = queries::by_id(&state.db, user.id).await?.ok_or(AppError::NotFound)?;
    let linked: Vec<(crate::oauth::Provider, String)> = queries::identities_of(&state.db, user.id)
        .await?
        .into_iter()
        .filter_map(|i| crate::oauth::Provider::parse(&i.provider).map(|p| (p, i.email)))
        .collect();
    let linkable =
        crate::oauth::configured(state).into_iter().filter(|p| !linked.iter().any(|(l, _)| l == p)).collect();
    Ok(AccountView {
        layout,
        linked,
        linkable,
        name: stored.name,
        email: stored.email,
        has_password: stored.password_hash.is_some(),
        two_factor_on: super::two_factor::queries::is_on(&state.db, user.id).await?,
        email_verified: stored.email_verified,
        name_error: None,
        password_error: None,
        delete_error: None,
        notice_choices: crate::tenancy::notices::choices::of(&state.db, user.id).await?,
    })
}

pub async fn view_account(State(state): State<AppState>, user: CurrentUser, layout: Layout) -> AppResult<Response> {
    page(view(&state, &user, layout).await?)
}

pub async fn save_name(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    layout: Layout,
    Form(form): Form<NameForm>,
) -> AppResult<Response> {
    let name = match clean_name(&form.name) {
        Ok(name) => name,
        Err(why) => {
            let mut view = view(&state, &user, layout).await?;
            view.name = form.name;
            view.name_error = Some(why);
            return invalid_form(view);
        }
    };
    queries::set_name(&state.db, user.id, &name).await?;
    flash::success(&session, "Your name is saved.").await?;
    Ok(Redirect::to("/account").into_response())
}

/// Sets or changes the password; a change ends every other session.
pub async fn save_password(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    layout: Layout,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let stored = queries::by_id(&state.db, user.id).await?.ok_or(AppError::NotFound)?;
    let refused = |why: String| async {
        let mut view = view(&state, &user, layout).await?;
        view.password_error = Some(why);
        invalid_form(view)
    };
    if stored.password_hash.is_some() && !password::verify(form.current, stored.password_hash.clone()).await? {
        return refused("Your current password is not right.".into()).await;
    }
    if let Some(problem) = password::problem(&form.new) {
        return refused(problem).await;
    }
    let hash = password::hash(form.new).await?;
    let mut tx = state.db.begin_write().await?;
    queries::set_password(&mut tx, user.id, &hash).await?;
    queries::end_resets(&mut tx, user.id).await?;
    queries::end_sessions_in(&mut tx, user.id).await?;
    tx.commit().await?;
    restart_session(&state, &session, &user).await?;
    flash::success(&session, "Your password is saved; every other session of yours has ended.").await?;
    Ok(Redirect::to("/account").into_response())
}

pub async fn end_other_sessions(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
) -> AppResult<Redirect> {
    queries::end_all_sessions(&state.db, user.id).await?;
    restart_session(&state, &session, &user).await?;
    flash::success(&session, "You are signed out everywhere else.").await?;
    Ok(Redirect::to("/account"))
}

/// Keeps this session alive across a generation bump, under a new id.
async fn restart_session(state: &AppState, session: &Session, user: &CurrentUser) -> AppResult<()> {
    let fresh = queries::by_id(&state.db, user.id).await?.ok_or(AppError::NotFound)?;
    let workspace: Option<uuid::Uuid> = session.get("workspace").await?;
    start(session, &fresh).await?;
    if let Some(workspace) = workspace {
        session.insert("workspace", workspace).await?;
    }
    Ok(())
}

/// Deletes the account and schedules the workspaces nobody else is in for
/// deletion; refused while the person is the only owner of a workspace that
/// has other members.
pub async fn delete_account(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    layout: Layout,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    let refused = |why: String| async {
        let mut view = view(&state, &user, layout).await?;
        view.delete_error = Some(why);
        invalid_form(view)
    };
    if form.confirm_email.trim().to_lowercase() != user.email {
        return refused("Type your email address exactly to confirm. Nothing was deleted.".into()).await;
    }
    let blocking = queries::sole_owner_of_shared(&state.db, user.id).await?;
    if !blocking.is_empty() {
        return refused(format!(
            "You are the only owner of {}, which other people use. Transfer ownership or delete it first. Nothing was deleted.",
            blocking.join(", ")
        ))
        .await;
    }
    let solo = queries::solo_workspaces(&state.db, user.id).await?;
    let mut tx = state.db.begin_write().await?;
    for workspace in &solo {
        // Their own workspaces are scheduled, like any deletion, so a platform
        // admin can still restore one in the grace period. The schedule is
        // in `main` (this transaction); the workspace's audit log lives with
        // its rows, perhaps in another database: written first, it says what
        // is about to happen.
        let grace = state.config.delete_grace;
        if let Some(at) = deletion::schedule(&mut tx, *workspace, &user.email, grace).await? {
            if state.databases.placement_of(*workspace).await? == crate::config::MAIN {
                let mut same = WorkspaceTx::enter(tx, *workspace).await?;
                record_account_deletion(&mut same, &user, at).await?;
                tx = same.into_tx();
            } else {
                let mut apart = state.databases.workspace_tx(*workspace, true).await?;
                record_account_deletion(&mut apart, &user, at).await?;
                apart.commit().await?;
            }
        }
    }
    queries::delete(&mut tx, user.id).await?;
    tx.commit().await?;
    sign_out(&session).await?;
    Ok(Redirect::to("/signup").into_response())
}

async fn record_account_deletion(tx: &mut WorkspaceTx, user: &CurrentUser, at: time::OffsetDateTime) -> AppResult<()> {
    let actor = Actor { id: Some(user.id), name: &user.name, ip: "" };
    let detail = format!("its owner deleted their account; deleted for good on {}", deletion::when(at));
    crate::audit::queries::record_by(tx, actor, "workspace.deletion_scheduled", "", &detail).await?;
    Ok(())
}

/// Stores the person's notification choices (ticked boxes are on).
pub async fn save_notice_choices(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    body: String,
) -> AppResult<Response> {
    let fields = crate::web::form::FormFields::parse(body.as_bytes());
    let ticked: Vec<String> = fields.pairs().iter().filter(|(_, v)| v == "1").map(|(k, _)| k.clone()).collect();
    crate::tenancy::notices::choices::save(&state.db, user.id, &ticked).await?;
    flash::success(&session, "Your notification choices are saved.").await?;
    Ok(Redirect::to("/account#notifications").into_response())
}
