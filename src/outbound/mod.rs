//! The one guarded client for every URL a workspace (not the operator)
//! chooses: it resolves the host, refuses inside addresses unless the
//! operator allows them, connects only to the addresses it checked, follows
//! no redirects, times out, and reads at most 1 MiB of the reply.
//! A reply body never goes further than the caller that parses it.

mod address;
mod allow;

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use reqwest::{
    dns::{Addrs, Name, Resolve, Resolving},
    redirect::Policy,
};
use url::{Host, Url};

pub use address::{Forbidden, forbidden};
pub use allow::AllowList;

/// The most of any reply that is read.
pub const MAX_REPLY_BYTES: usize = 1024 * 1024;

/// How calls to workspace-chosen URLs are guarded.
pub struct Guard<'a> {
    pub allow: &'a AllowList,
    /// For the whole call: resolving, connecting, sending and reading.
    pub timeout: Duration,
}

/// Why a URL may not be called at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotHttp,
    /// The host name has no address (or none came back in time).
    NotFound,
    Inside(Forbidden),
}

impl Refusal {
    /// Follows "The base URL …".
    pub fn describe(self) -> String {
        match self {
            Self::NotHttp => "must be an http(s) address with a host".into(),
            Self::NotFound => "has a host name that could not be found".into(),
            Self::Inside(why) => format!(
                "points to {}, which Easel does not call for a workspace (the operator can allow it with \
                 EASEL_OUTBOUND_ALLOW)",
                why.describe()
            ),
        }
    }
}

/// Why a call brought back no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    Refused(Refusal),
    Unreachable,
    TimedOut,
    /// The reply passed `MAX_REPLY_BYTES`; the rest was not read.
    TooLarge,
}

/// A reply: its status and at most `MAX_REPLY_BYTES` of its body.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// A URL whose host was resolved and found allowed, with the addresses to
/// connect to: the same ones, so a second DNS answer cannot swap them.
#[derive(Debug)]
pub struct Checked {
    name: Option<String>,
    addrs: Vec<SocketAddr>,
}

impl Guard<'_> {
    /// Resolves `url`'s host and checks every address it has.
    pub async fn check(&self, url: &Url) -> Result<Checked, Refusal> {
        let port = url.port_or_known_default().filter(|_| matches!(url.scheme(), "http" | "https"));
        let (Some(port), Some(host)) = (port, url.host()) else { return Err(Refusal::NotHttp) };
        let (name, addrs) = match host {
            Host::Ipv4(ip) => (None, vec![SocketAddr::new(IpAddr::V4(ip), port)]),
            Host::Ipv6(ip) => (None, vec![SocketAddr::new(IpAddr::V6(ip), port)]),
            Host::Domain(name) => {
                match tokio::time::timeout(self.timeout, tokio::net::lookup_host((name, port))).await {
                    Ok(Ok(found)) => (Some(name.to_owned()), found.collect::<Vec<_>>()),
                    _ => return Err(Refusal::NotFound),
                }
            }
        };
        if addrs.is_empty() {
            return Err(Refusal::NotFound);
        }
        // One inside address is enough to refuse: a name that mixes public
        // and inside answers is not one to trust with a key.
        for addr in &addrs {
            if let Some(why) = forbidden(addr.ip())
                && !self.allow.allows(name.as_deref(), addr.ip(), port)
            {
                return Err(Refusal::Inside(why));
            }
        }
        Ok(Checked { name, addrs })
    }

    /// POSTs `body` as JSON with a bearer token, under every guard.
    pub async fn post_json(&self, url: &Url, bearer: &str, body: &serde_json::Value) -> Result<Answer, Failure> {
        let call = async {
            let checked = self.check(url).await.map_err(Failure::Refused)?;
            let client = checked.client(self.timeout).map_err(|_| Failure::Unreachable)?;
            let response =
                client.post(url.clone()).bearer_auth(bearer).json(body).send().await.map_err(transport_failure)?;
            let status = response.status().as_u16();
            Ok(Answer { status, body: read_capped(response).await? })
        };
        tokio::time::timeout(self.timeout, call).await.unwrap_or(Err(Failure::TimedOut))
    }
}

impl Checked {
    /// A client that can reach only the checked addresses: no proxy (which
    /// would resolve the name itself), no redirects.
    fn client(self, timeout: Duration) -> reqwest::Result<reqwest::Client> {
        let builder =
            reqwest::Client::builder().redirect(Policy::none()).no_proxy().timeout(timeout).connect_timeout(timeout);
        match self.name {
            Some(name) => builder.dns_resolver(Arc::new(Pinned { name, addrs: self.addrs })).build(),
            // An address in the URL is connected to as it is, and was checked.
            None => builder.build(),
        }
    }
}

/// Answers the checked name with the checked addresses, and nothing else.
struct Pinned {
    name: String,
    addrs: Vec<SocketAddr>,
}

impl Resolve for Pinned {
    fn resolve(&self, name: Name) -> Resolving {
        let found: Result<Addrs, _> = if name.as_str().eq_ignore_ascii_case(&self.name) {
            Ok(Box::new(self.addrs.clone().into_iter()))
        } else {
            Err("only the checked host may be resolved".into())
        };
        Box::pin(std::future::ready(found))
    }
}

async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, Failure> {
    if response.content_length().is_some_and(|n| n > MAX_REPLY_BYTES as u64) {
        return Err(Failure::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_failure)? {
        if body.len() + chunk.len() > MAX_REPLY_BYTES {
            return Err(Failure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn transport_failure(e: reqwest::Error) -> Failure {
    if e.is_timeout() { Failure::TimedOut } else { Failure::Unreachable }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(allow: &AllowList) -> Guard<'_> {
        Guard { allow, timeout: Duration::from_secs(5) }
    }

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a URL")
    }

    #[tokio::test]
    async fn inside_urls_are_refused_in_any_spelling_unless_allowed() {
        let none = AllowList::default();
        for text in [
            "http://127.0.0.1:9/v1",
            "http://2130706433/v1",
            "http://0x7f.1/v1",
            "http://[::ffff:127.0.0.1]/v1",
            "http://[::1]:8080/",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost:11434/v1",
            "http://0.0.0.0/",
        ] {
            assert!(matches!(guard(&none).check(&url(text)).await, Err(Refusal::Inside(_))), "{text}");
        }
        assert_eq!(guard(&none).check(&url("ftp://example.com/")).await.unwrap_err(), Refusal::NotHttp);
        let ollama = AllowList::parse("127.0.0.1:11434").expect("valid");
        assert!(guard(&ollama).check(&url("http://127.0.0.1:11434/v1")).await.is_ok());
        assert!(guard(&ollama).check(&url("http://127.0.0.1:11435/v1")).await.is_err());
    }
}
