//! The handful of Stripe API calls Easel makes, typed: form-encoded bodies,
//! the secret key in the Authorization header only, and `Stripe-Version`
//! pinned so the objects keep the shape read here (`current_period_*` on
//! the subscription).

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::config::billing::Stripe as Settings;

/// The API version every call and every webhook object is read as.
pub const API_VERSION: &str = "2024-06-20";

pub struct StripeApi<'a> {
    pub http: &'a reqwest::Client,
    pub settings: &'a Settings,
}

/// Why a call failed; `message` is for the person who clicked.
#[derive(Debug)]
pub enum StripeError {
    /// No answer, or a 5xx or 429: nothing is known to have changed.
    Unavailable(String),
    /// Stripe refused the request (4xx) and said why.
    Refused(String),
}

impl StripeError {
    pub fn message(&self) -> String {
        match self {
            Self::Unavailable(_) => {
                "Stripe could not be reached just now. Nothing was changed and nothing was charged; please try \
                 again in a minute."
                    .into()
            }
            Self::Refused(why) => format!("Stripe refused the request ({why}). Nothing was changed."),
        }
    }
}

impl std::fmt::Display for StripeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unavailable(why) => write!(f, "Stripe unavailable: {why}"),
            Self::Refused(why) => write!(f, "Stripe refused: {why}"),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct Customer {
    pub id: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
    /// Unix seconds; Stripe's sessions last 24 hours.
    #[serde(default)]
    pub expires_at: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PortalSession {
    pub url: String,
}

/// A subscription as Stripe reports it (in a webhook event or fetched).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Subscription {
    pub id: String,
    /// The customer's id (events carry it as a string).
    #[serde(default, deserialize_with = "id_or_object")]
    pub customer: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub current_period_start: Option<i64>,
    #[serde(default)]
    pub current_period_end: Option<i64>,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    #[serde(default)]
    pub canceled_at: Option<i64>,
    #[serde(default)]
    pub trial_end: Option<i64>,
    #[serde(default)]
    pub items: Items,
    #[serde(default)]
    pub metadata: std::collections::HashMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Items {
    #[serde(default)]
    pub data: Vec<Item>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Item {
    #[serde(default)]
    pub price: Price,
    #[serde(default)]
    pub quantity: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Price {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub unit_amount: Option<i64>,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub recurring: Option<Recurring>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Recurring {
    #[serde(default)]
    pub interval: String,
    #[serde(default)]
    pub interval_count: Option<i64>,
}

impl Subscription {
    pub fn price(&self) -> Option<&Item> {
        self.items.data.first()
    }

    /// The workspace Easel named when it started the checkout.
    pub fn workspace(&self) -> Option<Uuid> {
        self.metadata.get("workspace_id").and_then(|id| Uuid::parse_str(id).ok())
    }
}

/// An id that may also come expanded as an object with an `id`.
pub fn id_or_object<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(id) => id,
        Value::Object(o) => o.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
        _ => String::new(),
    })
}

/// What a Checkout Session is made with.
pub struct NewCheckout<'a> {
    pub customer: &'a str,
    pub price: &'a str,
    pub workspace: Uuid,
    pub trial_days: i64,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    /// Sent as `Idempotency-Key`: a retried click cannot make two sessions.
    pub idempotency_key: &'a str,
}

impl StripeApi<'_> {
    pub async fn create_customer(&self, email: &str, name: &str, workspace: Uuid) -> Result<Customer, StripeError> {
        let workspace = workspace.to_string();
        let form = [("email", email), ("name", name), ("metadata[workspace_id]", &workspace)];
        self.post("/v1/customers", &form, Some(&format!("customer-{workspace}"))).await
    }

    pub async fn create_checkout(&self, c: &NewCheckout<'_>) -> Result<CheckoutSession, StripeError> {
        let workspace = c.workspace.to_string();
        let trial = c.trial_days.to_string();
        let mut form = vec![
            ("mode", "subscription"),
            ("customer", c.customer),
            ("client_reference_id", &workspace),
            ("line_items[0][price]", c.price),
            ("line_items[0][quantity]", "1"),
            ("success_url", c.success_url),
            ("cancel_url", c.cancel_url),
            ("metadata[workspace_id]", &workspace),
            ("subscription_data[metadata][workspace_id]", &workspace),
        ];
        if c.trial_days > 0 {
            form.push(("subscription_data[trial_period_days]", &trial));
        }
        self.post("/v1/checkout/sessions", &form, Some(c.idempotency_key)).await
    }

    pub async fn create_portal(&self, customer: &str, return_url: &str) -> Result<PortalSession, StripeError> {
        self.post("/v1/billing_portal/sessions", &[("customer", customer), ("return_url", return_url)], None).await
    }

    pub async fn subscription(&self, id: &str) -> Result<Subscription, StripeError> {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(StripeError::Refused(format!("not a subscription id: {id:?}")));
        }
        let request = self.http.get(format!("{}/v1/subscriptions/{id}", self.settings.base_url));
        self.send(request).await
    }

    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Result<T, StripeError> {
        let mut request = self.http.post(format!("{}{path}", self.settings.base_url)).form(form);
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        self.send(request).await
    }

    async fn send<T: for<'de> Deserialize<'de>>(&self, request: reqwest::RequestBuilder) -> Result<T, StripeError> {
        let response = request
            .bearer_auth(&self.settings.secret_key)
            .header("Stripe-Version", API_VERSION)
            .timeout(std::time::Duration::from_secs(20))
            .send()
            .await
            .map_err(|e| StripeError::Unavailable(e.to_string()))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| StripeError::Unavailable(e.to_string()))?;
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(StripeError::Unavailable(format!("HTTP {status}")));
        }
        if !status.is_success() {
            return Err(StripeError::Refused(error_message(&body, status.as_u16())));
        }
        serde_json::from_slice(&body).map_err(|e| StripeError::Unavailable(format!("unreadable answer: {e}")))
    }
}

/// Stripe's `error.message`, or the status when there is none.
fn error_message(body: &[u8], status: u16) -> String {
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.pointer("/error/message").and_then(Value::as_str).map(str::to_owned));
    let mut text = message.unwrap_or_else(|| format!("HTTP {status}"));
    text.truncate(300);
    text
}
