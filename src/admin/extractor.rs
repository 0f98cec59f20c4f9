//! `PlatformAdmin`: the person runs this instance. Everyone else, signed in
//! or not, gets a 404, as if `/admin` did not exist.

use axum::{extract::FromRequestParts, http::request::Parts};

use crate::{
    auth::{CurrentUser, MaybeUser},
    error::AppError,
    state::AppState,
};

#[derive(Clone, Debug)]
pub struct PlatformAdmin {
    pub user: CurrentUser,
}

impl FromRequestParts<AppState> for PlatformAdmin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match MaybeUser::from_request_parts(parts, state).await? {
            MaybeUser(Some(user)) if user.platform_admin => Ok(Self { user }),
            _ => Err(AppError::NotFound),
        }
    }
}
