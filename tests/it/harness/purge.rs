//! Ending a deleted workspace's grace period without waiting for it, and
//! running the purge and the start-up sweep as the app would.

use super::TestApp;

impl TestApp {
    /// Runs the background purge once; how many workspaces it purged.
    pub async fn purge_due(&self) -> usize {
        easel::tenancy::deletion::purge_due(&self.databases, &self.storage).await.expect("purge")
    }

    /// Runs the start-up sweep of the uploads folder.
    pub async fn sweep_uploads(&self) {
        easel::storage::sweeper::sweep(&self.databases, &self.storage, std::time::Duration::ZERO).await.expect("sweep");
    }

    /// Ends the grace period of every scheduled workspace, behind the app's back.
    pub async fn end_grace_periods(&self) {
        let sql = "UPDATE workspaces SET delete_after = '2000-01-01 00:00:00+00:00' WHERE delete_after IS NOT NULL";
        self.try_execute(sql).await.expect("end the grace periods");
    }

    /// How many workspaces are scheduled for deletion.
    pub async fn scheduled(&self) -> i64 {
        self.count("SELECT COUNT(*) FROM workspaces WHERE delete_after IS NOT NULL").await
    }
}
