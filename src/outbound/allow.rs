//! `EASEL_OUTBOUND_ALLOW`: the inside addresses the operator lets
//! workspaces reach anyway, such as a local Ollama on `127.0.0.1:11434`.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

/// Hosts, `host:port` pairs and CIDRs, as the operator listed them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowList {
    entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    place: Place,
    /// `None`: any port.
    port: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Place {
    /// Addresses, whatever name led to them (`127.0.0.1` is `127.0.0.1/32`).
    Network(IpNet),
    /// A host name as written in the URL, whatever it resolves to.
    Name(String),
}

impl AllowList {
    /// Parses a comma-separated list; the error names the entry that is wrong.
    pub fn parse(list: &str) -> Result<Self, String> {
        let entries = list.split(',').map(str::trim).filter(|e| !e.is_empty()).map(entry).collect::<Result<_, _>>()?;
        Ok(Self { entries })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Is `ip`, reached as `name` (the URL's host name, if it has one) on
    /// `port`, allowed by the operator?
    pub fn allows(&self, name: Option<&str>, ip: IpAddr, port: u16) -> bool {
        let ip = canonical(ip);
        self.entries.iter().any(|e| {
            e.port.is_none_or(|p| p == port)
                && match &e.place {
                    Place::Network(net) => net.contains(&ip),
                    Place::Name(allowed) => name.is_some_and(|n| n.trim_end_matches('.').eq_ignore_ascii_case(allowed)),
                }
        })
    }
}

/// `::ffff:127.0.0.1` is allowed exactly when `127.0.0.1` is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn entry(text: &str) -> Result<Entry, String> {
    let bad = |why: &str| format!("'{text}' {why}");
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(Entry { place: Place::Network(net.trunc()), port: None });
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(Entry { place: Place::Network(IpNet::from(canonical(ip))), port: None });
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        let place = Place::Network(IpNet::from(canonical(socket.ip())));
        if socket.port() == 0 {
            return Err(bad("has port 0"));
        }
        return Ok(Entry { place, port: Some(socket.port()) });
    }
    if text.contains('/') {
        return Err(bad("is not a CIDR such as 10.0.0.0/8"));
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) => {
            let port = port.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| bad("has no valid port"))?;
            (host, Some(port))
        }
        None => (text, None),
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if host.is_empty() || host.len() > 253 || !host.split('.').all(label_ok) {
        return Err(bad("is not a host, host:port or CIDR (such as 127.0.0.1:11434 or 10.0.0.0/8)"));
    }
    Ok(Entry { place: Place::Name(host), port })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn hosts_pairs_and_networks_are_understood() {
        let list = AllowList::parse(" 127.0.0.1:11434, 10.1.0.0/16 ,ollama.internal, vllm:8000,::1,").expect("valid");
        assert!(list.allows(None, ip("127.0.0.1"), 11434));
        assert!(list.allows(Some("localhost"), ip("127.0.0.1"), 11434), "the address counts, whatever its name");
        assert!(list.allows(None, ip("::ffff:127.0.0.1"), 11434));
        assert!(!list.allows(None, ip("127.0.0.1"), 11435), "only that port");
        assert!(list.allows(None, ip("10.1.200.3"), 443));
        assert!(!list.allows(None, ip("10.2.0.1"), 443));
        assert!(list.allows(Some("Ollama.Internal."), ip("172.17.0.2"), 11434));
        assert!(list.allows(Some("vllm"), ip("172.17.0.3"), 8000));
        assert!(!list.allows(Some("vllm"), ip("172.17.0.3"), 8001));
        assert!(!list.allows(Some("other"), ip("172.17.0.3"), 8000));
        assert!(list.allows(None, ip("::1"), 80));
        assert!(AllowList::parse("").expect("empty").is_empty());
    }

    #[test]
    fn bad_entries_are_named() {
        for bad in ["10.0.0.0/33", "host:port", "127.0.0.1:0", "two words", "a..b", "x:99999"] {
            let err = AllowList::parse(&format!("127.0.0.1,{bad}")).expect_err(bad);
            assert!(err.contains(bad), "{err}");
        }
    }
}
