//! Easel's integration tests: one binary, one PostgreSQL cluster, and every
//! test on both backends.

mod harness;

mod account_page;
mod accounts;
mod archive_faults;
mod archives;
mod backups;
mod basics;
mod bounded;
mod bulk;
mod bulk_captions;
mod calendars;
mod captions;
mod collections;
mod crops;
mod deletion;
mod deletion_admin;
mod exports;
mod faults;
mod first_run;
mod forged_requests;
mod grid_planner;
mod hardening;
mod instances;
mod integrations;
mod isolation;
mod library;
mod moving;
mod operations;
mod outbound;
mod placement;
mod planning;
mod publer;
mod roles;
mod row_level_security;
mod sign_in_with;
mod signup_policy;
mod slow_clients;
mod storage;
mod subdomains;
mod team;
mod two_factor;
mod unsaved_posts;
mod verification;
mod workspaces;
