//! Plans and limits: what a workspace may hold and use each month, checked
//! where the action happens (the plan page is `billing`'s).

pub mod queries;

pub use queries::Limits;

use crate::usage;

/// What to do when a limit is reached, said once for every message.
const WHAT_TO_DO: &str = "Ask your agency or the operator for a bigger plan";

/// `limit` as shown: "100 images", "500 MB of storage".
fn reached(limit: String, plan: &str, fix: &str) -> String {
    format!("This workspace has reached its limit of {limit} on the {plan} plan. {fix}, or {WHAT_TO_DO}.")
}

impl Limits {
    /// May `images` more images of `bytes` in all be stored?
    pub fn allows_upload(&self, used: &usage::Storage, images: i64, bytes: i64) -> Result<(), String> {
        if let Some(max) = self.max_images.filter(|max| used.image_count + images > *max) {
            return Err(reached(format!("{max} images"), &self.name, "Delete some artwork first"));
        }
        match self.max_storage_bytes.filter(|max| used.storage_bytes + bytes > *max) {
            Some(max) => {
                Err(reached(format!("{} of storage", megabytes(max)), &self.name, "Delete some artwork first"))
            }
            None => Ok(()),
        }
    }

    /// May one more person (a member or a pending invitation) join?
    pub fn allows_member(&self, members_and_invited: i64) -> Result<(), String> {
        match self.max_members.filter(|max| members_and_invited >= *max) {
            Some(max) => Err(reached(
                format!("{max} members (invitations included)"),
                &self.name,
                "Revoke an invitation or remove a member",
            )),
            None => Ok(()),
        }
    }

    /// Why no more AI captions may be asked for this month (counted by
    /// `usage::count_generation`, which checks and counts in one step).
    pub fn generations_used_up(&self) -> String {
        let max = self.max_ai_generations.unwrap_or(0).max(0);
        reached(format!("{max} AI captions this month"), &self.name, "Write this one by hand or with the template")
    }

    /// May `more` posts go to Publer, with `sent` accepted and `sending` on their way this month?
    pub fn allows_publer(&self, sent: i64, sending: i64, more: i64) -> Result<(), String> {
        match self.max_publer_posts.filter(|max| sent + sending + more > *max) {
            Some(max) => {
                Err(reached(format!("{max} posts sent to Publer this month"), &self.name, "Send the rest next month"))
            }
            None => Ok(()),
        }
    }
}

/// Bytes as people read them: "500 MB", "5 GB".
pub fn megabytes(bytes: i64) -> String {
    const GB: i64 = 1024 * 1024 * 1024;
    const MB: i64 = 1024 * 1024;
    if bytes >= GB && bytes % GB == 0 {
        format!("{} GB", bytes / GB)
    } else if bytes >= GB {
        format!("{:.1} GB", bytes as f64 / GB as f64)
    } else {
        format!("{} MB", (bytes + MB - 1) / MB)
    }
}
