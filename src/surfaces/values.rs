//! The command line's names for the enums of the layers below (severities, file kinds, output
//! formats): their clap `ValueEnum` implementations live here, so only the surfaces depend on
//! clap.

use clap::ValueEnum;
use clap::builder::PossibleValue;

use crate::linter::diagnostic::Severity;
use crate::report::Format;
use crate::syntax::source::FileKind;

impl ValueEnum for Severity {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Severity::Style,
            Severity::Info,
            Severity::Warning,
            Severity::Error,
        ]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

impl ValueEnum for FileKind {
    fn value_variants<'a>() -> &'a [Self] {
        &[FileKind::Dockerfile, FileKind::Compose]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).help(self.help()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_parses_back_to_itself() {
        for severity in Severity::value_variants() {
            assert_eq!(Severity::from_str(severity.as_str(), false), Ok(*severity));
        }
        for kind in FileKind::value_variants() {
            assert_eq!(FileKind::from_str(kind.as_str(), false), Ok(*kind));
        }
        for format in Format::value_variants() {
            assert_eq!(Format::from_str(format.name(), false), Ok(*format));
        }
    }
}
