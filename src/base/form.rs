//! Forms: the Dutch messages per field that a refused form brings back.

/// Messages per form field, in Dutch; "form" holds one for the whole form.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn all(&self) -> &[(&'static str, String)] {
        &self.0
    }
}

/// Reads a form's fields and collects a Dutch message for each that is
/// wrong, so that one submission tells everything at once:
///
/// ```ignore
/// let mut check = Check::default();
/// let title = check.text("title", &form.title, 300, "Geef een titel.");
/// let day = check.date("date", &form.date);
/// let kind = check.choice::<MeetingKind>("kind", &form.kind, "Kies de soort.");
/// let (Some(day), Some(kind)) = (day, kind) else { return again(check.errors()) };
/// ```
#[derive(Debug, Default)]
pub struct Check {
    errors: FieldErrors,
}

impl Check {
    /// Trimmed text: required (`missing` is the message when empty), at
    /// most `max` characters.
    pub fn text(&mut self, field: &'static str, value: &str, max: usize, missing: &str) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.errors.add(field, missing);
        } else {
            self.max_chars(field, value, max);
        }
        value.to_string()
    }

    /// Trimmed text that may be empty, at most `max` characters.
    pub fn optional_text(&mut self, field: &'static str, value: &str, max: usize) -> String {
        let value = value.trim();
        self.max_chars(field, value, max);
        value.to_string()
    }

    fn max_chars(&mut self, field: &'static str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.errors
                .add(field, format!("Gebruik hoogstens {max} tekens."));
        }
    }

    /// A required date as JJJJ-MM-DD.
    pub fn date(&mut self, field: &'static str, value: &str) -> Option<time::Date> {
        let value = value.trim();
        if value.is_empty() {
            self.errors.add(field, "Vul een datum in.");
            return None;
        }
        self.optional_date(field, value).flatten()
    }

    /// A date as JJJJ-MM-DD, or nothing; `None` when it is malformed.
    pub fn optional_date(
        &mut self,
        field: &'static str,
        value: &str,
    ) -> Option<Option<time::Date>> {
        let value = value.trim();
        if value.is_empty() {
            return Some(None);
        }
        match super::dutch::parse_date(value) {
            Some(d) => Some(Some(d)),
            None => {
                self.errors
                    .add(field, "Gebruik een datum in de vorm JJJJ-MM-DD.");
                None
            }
        }
    }

    /// A required time as UU:MM.
    pub fn time(&mut self, field: &'static str, value: &str) -> Option<time::Time> {
        let t = super::dutch::parse_time(value.trim());
        if t.is_none() {
            self.errors.add(field, "Gebruik een uur in de vorm UU:MM.");
        }
        t
    }

    /// One of a coded enum's values, by its code (see [`super::coded`]).
    pub fn choice<T: super::coded::Coded>(
        &mut self,
        field: &'static str,
        value: &str,
        missing: &str,
    ) -> Option<T> {
        let t = T::parse(value.trim());
        if t.is_none() {
            self.errors.add(field, missing);
        }
        t
    }

    /// A whole number between `min` and `max`.
    pub fn number(&mut self, field: &'static str, value: &str, min: i64, max: i64) -> Option<i64> {
        match value.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.errors
                    .add(field, format!("Geef een geheel getal van {min} tot {max}."));
                None
            }
        }
    }

    /// Trimmed text that may be empty, with the caller's message when it is
    /// longer than `max` characters.
    pub fn at_most(
        &mut self,
        field: &'static str,
        value: &str,
        max: usize,
        too_long: &str,
    ) -> String {
        let value = value.trim();
        if value.chars().count() > max {
            self.errors.add(field, too_long);
        }
        value.to_string()
    }

    /// An id picked from those on offer (`ids`); anything else is refused.
    /// Empty is refused with `missing`, or allowed without one.
    pub fn pick(
        &mut self,
        field: &'static str,
        value: &str,
        ids: &[i64],
        missing: Option<&str>,
    ) -> Option<i64> {
        let value = value.trim();
        if value.is_empty() {
            if let Some(message) = missing {
                self.errors.add(field, message);
            }
            return None;
        }
        let id = value.parse::<i64>().ok().filter(|id| ids.contains(id));
        if id.is_none() {
            self.errors.add(field, "Kies een waarde uit de lijst.");
        }
        id
    }

    /// The value the form gave when nothing was wrong; else the messages.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, FieldErrors> {
        match value {
            Some(value) if self.is_ok() => Ok(value),
            _ => Err(self.errors),
        }
    }

    /// A message of the caller's own (a rule between fields, say).
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.add(field, message);
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn errors(self) -> FieldErrors {
        self.errors
    }
}
