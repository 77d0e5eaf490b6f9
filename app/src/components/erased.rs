//! Type erasure without the async hydration nothing calls.

use leptos::prelude::*;
use leptos::suspense::Unsuspend;

/// The view `make` returns, type-erased like `into_any()`. A bare `into_any()` also carries
/// an async hydration of the view into the WASM, used only by what is hydrated while lazily
/// loaded code arrives; the router hydrates a route's view synchronously (once its chunk is
/// loaded), and so does a `<Suspense>` its content. For those, this drops that copy. Not for
/// a view that itself waits for resources on the server: `Unsuspend` does not wait for them.
pub fn erased<V>(make: impl FnOnce() -> V + Send + 'static) -> AnyView
where
    V: IntoView + 'static,
{
    Unsuspend::new(make).into_any()
}
