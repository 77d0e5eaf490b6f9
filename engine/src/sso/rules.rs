//! The rules of a provider are expressions of the Common Expression Language (CEL, the
//! `cel` crate) over the identity provider's claims, e.g.
//! `email_verified == true && hd == "example.com"`. Here they are checked when saved, so that
//! a typo is refused with its field rather than rejecting every user at sign-in.

use crate::error::{Error, Result};

/// Longest expression accepted (a rule, not a program).
const MAX_LEN: usize = 1_000;

/// Checks that `source` parses as a CEL expression.
pub fn check(field: &str, source: &str) -> Result<()> {
    if source.trim().is_empty() || source.chars().count() > MAX_LEN {
        return Err(Error::invalid(
            field,
            "an expression of 1 to 1000 characters",
        ));
    }
    cel::Program::compile(source)
        .map(|_| ())
        .map_err(|e| Error::invalid(field, format!("not a valid expression: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_parsed() {
        assert!(check("r", "email_verified == true && hd == \"example.com\"").is_ok());
        assert!(check("r", "true").is_ok());
        assert!(check("r", "'admins' in groups").is_ok());
        for bad in ["", "  ", "email ==", "hd == \"a", "(true"] {
            assert!(check("r", bad).is_err(), "{bad:?} accepted");
        }
        assert!(check("r", &"a".repeat(1_001)).is_err());
    }
}
