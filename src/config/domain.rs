//! `EASEL_BASE_DOMAIN`: the domain under which each workspace may have its
//! own address, `{slug}.{domain}`. Unset, there are no such addresses.

use super::ConfigError;

const VAR: &str = "EASEL_BASE_DOMAIN";

/// The base domain as set (checked), or `None` when unset.
pub fn base_domain(raw: Option<String>) -> Result<Option<String>, ConfigError> {
    let Some(raw) = raw else { return Ok(None) };
    let value = raw.trim();
    check(value).map_err(|why| ConfigError { var: VAR, why: format!("'{value}' {why}") })?;
    Ok(Some(value.to_owned()))
}

/// Why `value` cannot be a base domain: it must be a plain host name (no
/// scheme, port or path), in lower case, of at least two labels.
fn check(value: &str) -> Result<(), &'static str> {
    if value.contains("://") || value.contains('/') || value.contains(':') {
        return Err("must be a host name only, such as plan.agency.example (no scheme, port or path)");
    }
    if value.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("must be in lower case, such as plan.agency.example");
    }
    if value.len() > 200 {
        return Err("is too long for a domain with workspace addresses under it");
    }
    if value.parse::<std::net::IpAddr>().is_ok() {
        return Err("is an IP address; workspace addresses need a domain name such as plan.agency.example");
    }
    let labels: Vec<&str> = value.split('.').collect();
    if labels.len() < 2 {
        return Err("needs at least two labels, such as plan.agency.example");
    }
    if !labels.iter().all(|l| is_label(l)) {
        return Err("is not a host name: use letters a-z, digits and hyphens between the dots");
    }
    if labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit())) {
        return Err("is not a host name: its last label cannot be only digits");
    }
    Ok(())
}

/// One DNS label: 1 to 63 of a-z, 0-9 and `-`, not starting or ending with `-`.
fn is_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_means_no_workspace_addresses() {
        assert_eq!(base_domain(None).expect("unset is fine"), None);
    }

    #[test]
    fn a_host_name_of_two_labels_or_more_is_taken() {
        for good in ["plan.agency.example", "agency.example", "x-1.example.co.uk", " plan.test "] {
            assert_eq!(base_domain(Some(good.into())).expect(good).as_deref(), Some(good.trim()));
        }
    }

    #[test]
    fn anything_else_stops_start_up_naming_the_variable() {
        for bad in [
            "localhost",
            "Plan.Agency.Example",
            "https://plan.agency.example",
            "plan.agency.example:8443",
            "plan.agency.example/",
            "127.0.0.1",
            "plan..example",
            "-plan.example",
            "plan-.example",
            "plan.example.",
            "pl_an.example",
            "*.plan.example",
            "plan.123",
        ] {
            let err = base_domain(Some(bad.into())).expect_err(bad);
            assert_eq!(err.var, "EASEL_BASE_DOMAIN");
            assert!(err.to_string().starts_with("EASEL_BASE_DOMAIN: '"), "{err}");
        }
    }
}
