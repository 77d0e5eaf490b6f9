//! How a resource's value travels from the server's HTML to the browser: JSON, decoded from
//! bytes as the server functions' answers are. leptos' default codec decodes from a string,
//! which gives the WASM a second JSON decoder of every type both carry (serde_json's string
//! reader beside its byte reader).

use leptos::prelude::Resource;
use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub struct JsonBytes;

impl<T: Serialize> Encoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(value: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(value.as_bytes())
    }
}

/// A resource of the app: `Resource::new` with the codec above.
pub type Loaded<T> = Resource<T, JsonBytes>;

#[track_caller]
pub fn load<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
