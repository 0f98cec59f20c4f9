//! Where workspaces live: extra PostgreSQL databases (`EASEL_DATABASES`) and
//! which of them new workspaces go to (`EASEL_NEW_WORKSPACES_IN`).

use super::ConfigError;

/// The name of the database `DATABASE_URL` names.
pub const MAIN: &str = "main";

#[derive(Clone, Debug, Default)]
pub struct Placement {
    /// Named extra databases, `(name, url)`, in the order given.
    pub databases: Vec<(String, String)>,
    /// Where a new workspace goes: the listed database holding the fewest
    /// workspaces (ties: the first listed). Empty means `main`.
    pub new_workspaces_in: Vec<String>,
}

impl Placement {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>, database_url: &str) -> Result<Self, ConfigError> {
        let databases = match get("EASEL_DATABASES") {
            Some(list) => parse_databases(&list, database_url)?,
            None => Vec::new(),
        };
        let new_workspaces_in = match get("EASEL_NEW_WORKSPACES_IN") {
            Some(list) => parse_targets(&list, &databases)?,
            None => Vec::new(),
        };
        Ok(Self { databases, new_workspaces_in })
    }
}

fn bad(why: String) -> ConfigError {
    ConfigError { var: "EASEL_DATABASES", why }
}

fn parse_databases(list: &str, database_url: &str) -> Result<Vec<(String, String)>, ConfigError> {
    if !database_url.starts_with("postgres") {
        return Err(bad("extra databases need a PostgreSQL DATABASE_URL (the main database is SQLite)".into()));
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let Some((name, url)) = item.split_once('=') else {
            return Err(bad(format!("'{}' must be name=postgres://…", first_word(item))));
        };
        let (name, url) = (name.trim(), url.trim());
        check_name(name).map_err(bad)?;
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(bad(format!("the URL of '{name}' must start with postgres:// or postgresql://")));
        }
        if out.iter().any(|(n, _)| n == name) {
            return Err(bad(format!("'{name}' is named twice")));
        }
        out.push((name.to_owned(), url.to_owned()));
    }
    Ok(out)
}

/// The part of an item before any URL, so a password never reaches a message.
fn first_word(item: &str) -> &str {
    item.split(['=', ':']).next().unwrap_or("")
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 40 || !name.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
    {
        return Err(format!("'{name}' is not a database name: use 1 to 40 of a-z, 0-9, _ and -"));
    }
    if name == MAIN {
        return Err("'main' is the DATABASE_URL database and cannot be named again".into());
    }
    Ok(())
}

fn parse_targets(list: &str, databases: &[(String, String)]) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if name != MAIN && !databases.iter().any(|(n, _)| n == name) {
            return Err(ConfigError {
                var: "EASEL_NEW_WORKSPACES_IN",
                why: format!("'{name}' is neither main nor a database named in EASEL_DATABASES"),
            });
        }
        if !out.iter().any(|n| n == name) {
            out.push(name.to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(url: &str, vars: &[(&str, &str)]) -> Result<Placement, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Placement::from_lookup(&|k: &str| map.get(k).cloned(), url)
    }

    const PG: &str = "postgres://u@h/main";

    #[test]
    fn named_databases_are_read_in_order() {
        let p = read(PG, &[("EASEL_DATABASES", "big=postgres://a/b, other-1=postgresql://c/d")]).unwrap();
        assert_eq!(p.databases[0], ("big".into(), "postgres://a/b".into()));
        assert_eq!(p.databases[1].0, "other-1");
        assert!(p.new_workspaces_in.is_empty());
    }

    #[test]
    fn bad_settings_say_why() {
        let sqlite = read("sqlite://x.db", &[("EASEL_DATABASES", "big=postgres://a/b")]).unwrap_err();
        assert!(sqlite.why.contains("PostgreSQL DATABASE_URL"), "{}", sqlite.why);
        assert!(read(PG, &[("EASEL_DATABASES", "main=postgres://a/b")]).unwrap_err().why.contains("'main'"));
        assert!(read(PG, &[("EASEL_DATABASES", "Big=postgres://a/b")]).is_err());
        assert!(read(PG, &[("EASEL_DATABASES", "big=mysql://a/b")]).is_err());
        assert!(read(PG, &[("EASEL_DATABASES", "a=postgres://x,a=postgres://y")]).is_err());
        let secret = read(PG, &[("EASEL_DATABASES", "postgres://u:hunter2@h/db")]).unwrap_err();
        assert!(!secret.why.contains("hunter2"), "{}", secret.why);
        let unknown = read(PG, &[("EASEL_NEW_WORKSPACES_IN", "main,big")]).unwrap_err();
        assert_eq!(unknown.var, "EASEL_NEW_WORKSPACES_IN");
    }

    #[test]
    fn new_workspaces_may_go_to_main_and_named_databases() {
        let p =
            read(PG, &[("EASEL_DATABASES", "big=postgres://a/b"), ("EASEL_NEW_WORKSPACES_IN", "main, big")]).unwrap();
        assert_eq!(p.new_workspaces_in, ["main", "big"]);
    }
}
