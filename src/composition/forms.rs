//! What the composition's forms need beyond the base's form kit: its pages
//! hold several forms, so their controls' ids carry a prefix.

use crate::base::FieldErrors;

/// A form's messages by the ids of its controls, for the form kit's macros
/// (which name a message `{id}-fout`) on pages that hold several forms and
/// so prefix their ids: "m-" + "person_id". (For `base::form`, as
/// `FieldErrors::scoped(prefix)`.)
#[derive(Debug, Default, Clone)]
pub struct IdErrors(Vec<(String, String)>);

impl IdErrors {
    pub fn new(prefix: &str, errors: &FieldErrors) -> Self {
        IdErrors(
            errors
                .all()
                .iter()
                .map(|(field, message)| (format!("{prefix}{field}"), message.clone()))
                .collect(),
        )
    }

    /// One message for the control `id`.
    pub fn one(id: String, message: String) -> Self {
        IdErrors(vec![(id, message)])
    }

    pub fn get(&self, id: impl AsRef<str>) -> Option<&str> {
        let id = id.as_ref();
        self.0
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn all(&self) -> &[(String, String)] {
        &self.0
    }
}

/// Pages whose select lists mark the entry the form gave: `is(value, id)`
/// in their templates.
pub trait Picks {
    fn is(&self, value: &str, id: &i64) -> bool {
        value.trim() == id.to_string()
    }
}
