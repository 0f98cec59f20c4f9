//! Where a person may be sent after signing in or switching workspace.

use axum::response::Redirect;
use url::form_urlencoded;

/// `Some(path)` when `candidate` is a path on this site and nothing else:
/// one leading `/`, never `//` or `/\` (which browsers read as another host),
/// and no control characters.
pub fn local_path(candidate: &str) -> Option<&str> {
    let ok = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && !candidate.contains('\\')
        && !candidate.chars().any(char::is_control)
        && candidate.len() <= 2048;
    ok.then_some(candidate)
}

/// The login page, remembering a local page to come back to.
pub fn login_url(next: Option<&str>) -> String {
    match next.and_then(local_path).filter(|p| *p != "/") {
        Some(path) => {
            let query: String = form_urlencoded::Serializer::new(String::new()).append_pair("next", path).finish();
            format!("/login?{query}")
        }
        None => "/login".to_owned(),
    }
}

/// A 303 to `next` when it is local, else to home.
pub fn to_local_or_home(next: Option<&str>) -> Redirect {
    Redirect::to(next.and_then(local_path).unwrap_or("/"))
}

/// A path fit for the logs: the secret in a token link (invitation, password
/// reset, calendar feed) is replaced, so a log line cannot open anything.
pub fn loggable_path(path: &str) -> String {
    for prefix in ["/invites/", "/password/reset/", "/feeds/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}[token]{tail}");
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_pass() {
        assert_eq!(local_path("/images?page=2"), Some("/images?page=2"));
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "evil", "", "/a\nb"] {
            assert_eq!(local_path(bad), None, "{bad:?} must be refused");
        }
    }

    #[test]
    fn tokens_stay_out_of_the_logs() {
        assert_eq!(loggable_path("/invites/abc123/accept"), "/invites/[token]/accept");
        assert_eq!(loggable_path("/feeds/abc.ics"), "/feeds/[token]");
        assert_eq!(loggable_path("/password/reset/xyz"), "/password/reset/[token]");
        assert_eq!(loggable_path("/images/42"), "/images/42");
    }

    #[test]
    fn login_url_keeps_the_page() {
        assert_eq!(login_url(Some("/workspaces")), "/login?next=%2Fworkspaces");
        assert_eq!(login_url(Some("//evil.example")), "/login");
        assert_eq!(login_url(None), "/login");
    }
}
