//! The images a job builds, so that it can remove them when it ends.

use std::collections::BTreeSet;

use layerwise_engine::{BuildOutcome, Engine};

/// The tags a job gives its builds and every image id those builds made.
/// Rebuilding under a tag leaves the image before it untagged, so removing
/// the tags alone would leak one image per rebuild.
#[derive(Debug, Default)]
pub struct BuiltImages {
    tags: Vec<String>,
    ids: BTreeSet<String>,
}

impl BuiltImages {
    /// Records a tag before building it, so a build cancelled after tagging
    /// still has its tag removed.
    pub fn tag(&mut self, tag: &str) {
        if !self.tags.iter().any(|t| t == tag) {
            self.tags.push(tag.to_string());
        }
    }

    /// Records the image a build made, if it made one.
    pub fn built(&mut self, outcome: &BuildOutcome) {
        self.ids.extend(outcome.image_id.iter().cloned());
    }

    /// The tags recorded, in the order they were first given.
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// Removes the tags, then every recorded image nothing else tags.
    /// Failures are not reported: a tag the cancelled build never wrote, or an
    /// image another tag still holds, is as it should be.
    pub async fn remove(&self, engine: &Engine) {
        for tag in &self.tags {
            let _ = engine.remove_image(tag).await;
        }
        for id in &self.ids {
            let _ = engine.remove_if_untagged(id).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_recorded_once_in_order() {
        let mut images = BuiltImages::default();
        images.tag("b");
        images.tag("a");
        images.tag("b");
        assert_eq!(images.tags(), ["b", "a"]);
    }
}
