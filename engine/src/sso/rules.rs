//! The rules of a provider are expressions of the Common Expression Language (CEL, the
//! `cel` crate) over the identity provider's claims, e.g.
//! `email_verified == true && hd == "example.com"`. They are checked when saved, so that a
//! typo is refused with its field rather than rejecting every user at sign-in, and evaluated
//! at sign-in with each claim as a variable (and all of them as the map `claims`, for names
//! that are not identifiers: `claims["cognito:groups"]`).

use crate::error::{Error, Result};
use serde_json::{Map, Value};

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

/// Whether `source` holds for these claims. Anything but `true` is no: a missing claim, a
/// type mismatch or a non-boolean result is an `Err` with the reason (for the audit events).
pub fn holds(source: &str, claims: &Map<String, Value>) -> Result<bool, String> {
    let program = cel::Program::compile(source).map_err(|e| e.to_string())?;
    let mut context = cel::Context::default();
    for (name, value) in claims {
        if is_identifier(name) {
            context
                .add_variable(name.as_str(), value)
                .map_err(|e| e.to_string())?;
        }
    }
    context
        .add_variable("claims", claims)
        .map_err(|e| e.to_string())?;
    match program.execute(&context) {
        Ok(cel::Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!("not a boolean: {:?}", other.type_of())),
        Err(e) => Err(e.to_string()),
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_see_the_claims() {
        let claims = serde_json::json!({
            "email_verified": true, "hd": "example.com", "groups": ["staff", "admins"],
            "cognito:groups": ["x"], "age": 42,
        });
        let claims = claims.as_object().unwrap();
        let holds = |s| holds(s, claims);
        assert_eq!(
            holds("email_verified == true && hd == \"example.com\""),
            Ok(true)
        );
        assert_eq!(holds("hd == \"other.com\""), Ok(false));
        assert_eq!(holds("'admins' in groups"), Ok(true));
        assert_eq!(holds("'x' in claims[\"cognito:groups\"]"), Ok(true));
        assert_eq!(holds("age > 40"), Ok(true));
        // Fails closed: a missing claim, a wrong type, a non-boolean.
        assert!(holds("missing == 1").is_err());
        assert!(holds("hd > 3").is_err());
        assert!(holds("hd").is_err());
    }

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
