//! The website tag (`pkg/browser/`): a visitor scored in their own browser, delivered only once
//! qualified.
//!
//! The policy is plain Rust and tested natively: [`config`] (the tag's settings, as the loader
//! read them from the `data-*` attributes), [`fields`] (which form controls may be read), [`urls`]
//! (page keys, UTM, downloads), [`store`] (the versioned localStorage envelope) and [`payload`]
//! (what a qualified lead looks like on the wire). The collector that drives them with web-sys
//! lives in `agent` and only exists in wasm32 builds with the `browser` feature. The loader
//! (`js/browser/`) starts it, serves the page API and delivers the outbox.

pub mod config;
pub mod fields;
pub mod payload;
pub mod store;
pub mod urls;

#[cfg(all(target_arch = "wasm32", feature = "browser"))]
pub(crate) mod agent;
