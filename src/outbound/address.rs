//! Which addresses a workspace-chosen URL may never reach: everything that
//! is not the public internet, in every spelling IPv6 has for IPv4.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is off limits, in words for the person who chose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forbidden {
    Loopback,
    Private,
    LinkLocal,
    SharedCgnat,
    Unspecified,
    Multicast,
    Broadcast,
    /// Documentation, benchmarking, protocol and future-use ranges.
    Reserved,
}

impl Forbidden {
    /// "a loopback address", to follow "points to".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Loopback => "a loopback address (this server itself)",
            Self::Private => "a private network address",
            Self::LinkLocal => "a link-local address (such as a cloud metadata service)",
            Self::SharedCgnat => "a carrier-grade NAT address",
            Self::Unspecified => "an unspecified address",
            Self::Multicast => "a multicast address",
            Self::Broadcast => "a broadcast address",
            Self::Reserved => "a reserved address",
        }
    }
}

/// `None` when the address is on the public internet.
pub fn forbidden(ip: IpAddr) -> Option<Forbidden> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<Forbidden> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_broadcast() => Forbidden::Broadcast,
        (0, ..) => Forbidden::Unspecified,
        (127, ..) => Forbidden::Loopback,
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => Forbidden::Private,
        (169, 254, _) => Forbidden::LinkLocal,
        (100, 64..=127, _) => Forbidden::SharedCgnat,
        (224..=239, ..) => Forbidden::Multicast,
        (240..=255, ..) => Forbidden::Reserved,
        (192, 0, 0) | (192, 0, 2) | (198, 18..=19, _) | (198, 51, 100) | (203, 0, 113) => Forbidden::Reserved,
        _ => return None,
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<Forbidden> {
    if let Some(v4) = embedded_v4(ip) {
        return forbidden_v4(v4);
    }
    let s = ip.segments();
    Some(match s[0] {
        _ if ip.is_unspecified() => Forbidden::Unspecified,
        _ if ip.is_loopback() => Forbidden::Loopback,
        0xfc00..=0xfdff => Forbidden::Private,
        // fe80::/10 link-local, and fec0::/10, the old site-local.
        0xfe80..=0xfeff => Forbidden::LinkLocal,
        0xff00..=0xffff => Forbidden::Multicast,
        // 2001:db8::/32 documentation, 100::/64 discard, 64:ff9b:1::/48 local NAT64.
        0x2001 if s[1] == 0x0db8 => Forbidden::Reserved,
        0x0100 if s[1..4] == [0, 0, 0] => Forbidden::Reserved,
        0x0064 if s[1] == 0xff9b && s[2] == 1 => Forbidden::Reserved,
        // Anything else under ::/8 that is not an IPv4 form is unassigned.
        0x0000..=0x00ff => Forbidden::Reserved,
        _ => return None,
    })
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`),
/// IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) or 6to4
/// (`2002:aabb:ccdd::`) address: each reaches that IPv4 address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(tail),
        // `::` and `::1` are IPv6's own unspecified and loopback addresses.
        [0, 0, 0, 0, 0, 0, 0, 0 | 1] => None,
        [0, 0, 0, 0, 0, 0, _, _] => Some(tail),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(tail),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(address: &str) -> Option<Forbidden> {
        forbidden(address.parse().expect("an address"))
    }

    #[test]
    fn inside_addresses_are_refused_in_every_spelling() {
        for (address, why) in [
            ("127.0.0.1", Forbidden::Loopback),
            ("127.8.9.10", Forbidden::Loopback),
            ("::1", Forbidden::Loopback),
            ("::ffff:127.0.0.1", Forbidden::Loopback),
            ("::127.0.0.1", Forbidden::Loopback),
            ("64:ff9b::127.0.0.1", Forbidden::Loopback),
            ("2002:7f00:1::", Forbidden::Loopback),
            ("10.0.0.1", Forbidden::Private),
            ("::ffff:10.0.0.1", Forbidden::Private),
            ("172.16.0.1", Forbidden::Private),
            ("172.31.255.255", Forbidden::Private),
            ("192.168.1.1", Forbidden::Private),
            ("::ffff:192.168.1.1", Forbidden::Private),
            ("fd00::1", Forbidden::Private),
            ("fc00::1", Forbidden::Private),
            ("169.254.169.254", Forbidden::LinkLocal),
            ("::ffff:169.254.169.254", Forbidden::LinkLocal),
            ("fe80::1", Forbidden::LinkLocal),
            ("100.64.0.1", Forbidden::SharedCgnat),
            ("100.127.255.254", Forbidden::SharedCgnat),
            ("0.0.0.0", Forbidden::Unspecified),
            ("0.1.2.3", Forbidden::Unspecified),
            ("::", Forbidden::Unspecified),
            ("::ffff:0.0.0.0", Forbidden::Unspecified),
            ("224.0.0.1", Forbidden::Multicast),
            ("239.255.255.250", Forbidden::Multicast),
            ("ff02::1", Forbidden::Multicast),
            ("255.255.255.255", Forbidden::Broadcast),
            ("::ffff:255.255.255.255", Forbidden::Broadcast),
            ("240.0.0.1", Forbidden::Reserved),
            ("192.0.0.8", Forbidden::Reserved),
            ("192.0.2.1", Forbidden::Reserved),
            ("198.18.0.1", Forbidden::Reserved),
            ("2001:db8::1", Forbidden::Reserved),
        ] {
            assert_eq!(check(address), Some(why), "{address}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for address in [
            "1.1.1.1",
            "8.8.8.8",
            "104.18.7.192",
            "172.32.0.1",
            "100.128.0.1",
            "169.253.1.1",
            "192.169.0.1",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:0808:0808::1",
            "2606:4700::6810:84e5",
            "2a00:1450:4001:80b::200e",
        ] {
            assert_eq!(check(address), None, "{address}");
        }
    }
}
