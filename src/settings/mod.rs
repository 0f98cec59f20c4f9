//! A workspace's own settings (display name, time zone; brand settings later).

pub mod queries;
