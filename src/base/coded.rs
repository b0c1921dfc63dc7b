//! Enums stored by a code and shown with a Dutch label: the code, the
//! label, parsing a form's code and the list of all values, written once by
//! [`coded!`](crate::coded) instead of by hand per enum.

/// What [`coded!`](crate::coded) gives an enum.
pub trait Coded: Sized + Copy + 'static {
    const ALL: &'static [Self];
    /// As stored and as sent by forms (`snake_case`, like the database enum).
    fn code(self) -> &'static str;
    /// As shown, in Dutch.
    fn label(self) -> &'static str;
    fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
}

/// Declares an enum whose values are stored by a code and shown with a
/// Dutch label, and implements [`Coded`] and the inherent `code`, `label`,
/// `parse` and `ALL` the templates call:
///
/// ```ignore
/// crate::coded! {
///     pub enum MeetingKind: "meeting_kind" {
///         Formal => ("formal", "formeel VESOC-overleg"),
///         WorkingGroup => ("working_group", "VESOC-werkgroep"),
///     }
/// }
/// ```
///
/// With `: "type_name"` the enum is also the PostgreSQL enum of that name
/// (`sqlx::Type`, variants in `snake_case`) and (de)serialises in
/// `snake_case`.
#[macro_export]
macro_rules! coded {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident: $db:tt {
            $($variant:ident => ($code:literal, $label:literal)),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            sqlx::Encode, sqlx::Decode, serde::Serialize, serde::Deserialize
        )]
        #[sqlx(rename_all = "snake_case")]
        #[serde(rename_all = "snake_case")]
        $vis enum $name { $($variant),+ }

        // What `#[derive(sqlx::Type)]` gives, but for `compatible`: the
        // derived one compares type names the slow way (`name_eq`, char by
        // char, for every value of every row: a tenth of the CPU of a list
        // page, callgrind in docs/performance.md). The column's type name
        // is the enum's own, as PostgreSQL reports it.
        impl sqlx::Type<sqlx::Postgres> for $name {
            fn type_info() -> sqlx::postgres::PgTypeInfo {
                sqlx::postgres::PgTypeInfo::with_name($db)
            }
            fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
                sqlx::TypeInfo::name(ty) == $db
            }
        }

        impl sqlx::postgres::PgHasArrayType for $name {
            fn array_type_info() -> sqlx::postgres::PgTypeInfo {
                sqlx::postgres::PgTypeInfo::array_of($db)
            }
        }

        $crate::coded!(@impl $name { $($variant => ($code, $label)),+ });
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($variant:ident => ($code:literal, $label:literal)),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $($variant),+ }

        $crate::coded!(@impl $name { $($variant => ($code, $label)),+ });
    };
    (@impl $name:ident { $($variant:ident => ($code:literal, $label:literal)),+ }) => {
        impl $crate::base::coded::Coded for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        #[allow(dead_code)]
        impl $name {
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];
            pub fn code(self) -> &'static str {
                <Self as $crate::base::coded::Coded>::code(self)
            }
            pub fn label(self) -> &'static str {
                <Self as $crate::base::coded::Coded>::label(self)
            }
            pub fn parse(code: &str) -> Option<Self> {
                <Self as $crate::base::coded::Coded>::parse(code)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Coded;

    crate::coded! {
        enum Colour {
            Red => ("red", "rood"),
            Green => ("green", "groen"),
        }
    }

    #[test]
    fn codes_labels_and_parsing_come_from_one_list() {
        assert_eq!(Colour::ALL, [Colour::Red, Colour::Green]);
        assert_eq!(Colour::Green.code(), "green");
        assert_eq!(Colour::Green.label(), "groen");
        assert_eq!(Colour::parse("red"), Some(Colour::Red));
        assert_eq!(Colour::parse("blauw"), None);
        assert_eq!(<Colour as Coded>::ALL.len(), 2);
    }
}
