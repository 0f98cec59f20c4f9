//! The integration tests' stand-ins, shared: the art they upload, OpenAI and
//! Publer, and Stripe (each file is self-contained).

#[path = "../it/harness/art.rs"]
#[allow(dead_code)]
pub mod art;
#[path = "../it/harness/services.rs"]
#[allow(dead_code)]
pub mod services;
#[path = "../it/harness/stripe.rs"]
#[allow(dead_code)]
pub mod stripe;
