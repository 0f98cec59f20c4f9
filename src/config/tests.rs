//! Reading configuration: defaults, and each bad value named by its variable.

use super::*;
use std::collections::HashMap;

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_lookup(|k| map.get(k).cloned())
}

#[test]
fn defaults_need_no_configuration() {
    let c = config(&[]).expect("defaults are valid");
    assert_eq!(c.database_url, "sqlite://data/easel.db");
    assert_eq!(c.bind.to_string(), "127.0.0.1:3000");
    assert!(!c.secure_cookies());
    assert_eq!(c.signup, SignupPolicy::Open);
    assert_eq!(c.max_owned_workspaces, 20);
}

#[test]
fn a_bad_value_names_its_variable() {
    let err = config(&[("EASEL_BIND", "everywhere")]).unwrap_err();
    assert_eq!(err.var, "EASEL_BIND");
    let err = config(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
    assert_eq!(err.var, "DATABASE_URL");
    let err = config(&[("EASEL_BASE_URL", "ftp://x")]).unwrap_err();
    assert_eq!(err.var, "EASEL_BASE_URL");
    let err = config(&[("EASEL_ALLOW_RLS_BYPASS", "maybe")]).unwrap_err();
    assert_eq!(err.var, "EASEL_ALLOW_RLS_BYPASS");
    let err = config(&[("EASEL_MAX_UPLOAD_MB", "lots")]).unwrap_err();
    assert_eq!(err.var, "EASEL_MAX_UPLOAD_MB");
    let err = config(&[("EASEL_OUTBOUND_ALLOW", "127.0.0.1:11434,not a host")]).unwrap_err();
    assert_eq!(err.var, "EASEL_OUTBOUND_ALLOW");
}

#[test]
fn two_factor_rules_parse_and_a_bad_one_says_what_is_allowed() {
    assert_eq!(config(&[]).expect("valid").require_two_factor, TwoFactorRule::Off);
    assert_eq!(config(&[("EASEL_REQUIRE_2FA", "Admins")]).expect("valid").require_two_factor, TwoFactorRule::Admins);
    assert_eq!(config(&[("EASEL_REQUIRE_2FA", "staff")]).expect("valid").require_two_factor, TwoFactorRule::Staff);
    let err = config(&[("EASEL_REQUIRE_2FA", "everyone")]).unwrap_err();
    assert_eq!(err.var, "EASEL_REQUIRE_2FA");
    assert!(err.why.contains("admins, staff or off"));
    let err = config(&[("EASEL_SIGNUP", "sometimes")]).unwrap_err();
    assert_eq!(err.var, "EASEL_SIGNUP");
    let err = config(&[("EASEL_MAX_OWNED_WORKSPACES", "0")]).unwrap_err();
    assert_eq!(err.var, "EASEL_MAX_OWNED_WORKSPACES");
}

#[test]
fn https_base_url_means_secure_cookies() {
    let c = config(&[("EASEL_BASE_URL", "https://easel.example.com/")]).expect("valid");
    assert!(c.secure_cookies());
    assert_eq!(c.origin(), "https://easel.example.com");
}

#[test]
fn the_database_follows_the_data_folder() {
    let c = config(&[("EASEL_DATA_DIR", "/var/lib/easel")]).expect("valid");
    assert_eq!(c.database_url, "sqlite:///var/lib/easel/easel.db");
}

#[test]
fn the_deletion_grace_period_is_two_weeks_unless_set() {
    assert_eq!(config(&[]).expect("defaults").delete_grace, Duration::from_secs(14 * 86_400));
    let c = config(&[("EASEL_DELETE_GRACE", "30d")]).expect("30 days");
    assert_eq!(c.delete_grace, Duration::from_secs(30 * 86_400));
    assert_eq!(config(&[("EASEL_DELETE_GRACE", "0s")]).expect("none").delete_grace, Duration::ZERO);
    for bad in ["soon", "-1d", "3651d"] {
        let err = config(&[("EASEL_DELETE_GRACE", bad)]).unwrap_err();
        assert_eq!(err.var, "EASEL_DELETE_GRACE", "{bad}");
    }
}

#[test]
fn the_work_lease_is_a_minute_unless_set() {
    assert_eq!(config(&[]).expect("defaults").work_lease, Duration::from_secs(60));
    assert_eq!(config(&[("EASEL_WORK_LEASE", "2s")]).expect("2 s").work_lease, Duration::from_secs(2));
    for bad in ["0s", "2h", "soon"] {
        let err = config(&[("EASEL_WORK_LEASE", bad)]).unwrap_err();
        assert_eq!(err.var, "EASEL_WORK_LEASE", "{bad}");
    }
}
