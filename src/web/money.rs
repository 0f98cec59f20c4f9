//! Amounts of money as people read them.

/// "$1,234.56" in dollars; "12.34 EUR" in any other currency.
pub fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let amount = format!("{}.{:02}", thousands(abs / 100), abs % 100);
    if currency.is_empty() || currency.eq_ignore_ascii_case("usd") {
        format!("{sign}${amount}")
    } else {
        format!("{sign}{amount} {}", currency.to_uppercase())
    }
}

/// 1234567 → "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_like_a_price() {
        assert_eq!(money(2998, "usd"), "$29.98");
        assert_eq!(money(0, "usd"), "$0.00");
        assert_eq!(money(123_456_789, "USD"), "$1,234,567.89");
        assert_eq!(money(1234, "eur"), "12.34 EUR");
        assert_eq!(money(-5, "usd"), "-$0.05");
    }
}
