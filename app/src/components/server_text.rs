//! French for the reasons the engine gives when it refuses a value. The engine speaks English
//! (it is the REST contract's language, where the `field` and `error` codes are what clients
//! act on); the UI shows these reasons to people, so it translates them here, keyed by the
//! English text like a gettext catalogue. `{…}` in a text stands for a part copied over (a
//! number, a name). A test checks that every reason written in the engine has its entry.

/// (English as written in the engine, French).
const FRENCH: &[(&str, &str)] = &[
    (
        "tcp://host:port, or an https:// SOAP endpoint (http only to loopback)",
        "tcp://hôte:port, ou un point d'accès SOAP https:// (http seulement vers la boucle locale)",
    ),
    (
        "1 to 64 of A-Z a-z 0-9 - _ .",
        "1 à 64 de A-Z a-z 0-9 - _ .",
    ),
    (
        "must not be empty when enabled",
        "ne doit pas être vide une fois activé",
    ),
    (
        "must be set when enabled",
        "doit être défini une fois activé",
    ),
    (
        "at most {MAX_PROXIES} proxies",
        "{MAX_PROXIES} proxys au plus",
    ),
    ("names must be unique", "les noms doivent être uniques"),
    (
        "no BroadWorks proxy of this name",
        "aucun proxy BroadWorks de ce nom",
    ),
    ("no control characters", "aucun caractère de contrôle"),
    (
        "BroadWorks refused it: {why}",
        "BroadWorks l'a refusé : {why}",
    ),
    (
        "an expression of 1 to 1000 characters",
        "une expression de 1 à 1000 caractères",
    ),
    (
        "a path of this site, like /profile",
        "un chemin de ce site, comme /profile",
    ),
    (
        "the IdP metadata has no signing certificate",
        "les métadonnées du fournisseur n'ont pas de certificat de signature",
    ),
    (
        "the IdP metadata has no HTTP-Redirect SingleSignOnService",
        "les métadonnées du fournisseur n'ont pas de SingleSignOnService HTTP-Redirect",
    ),
    (
        "an issuer URL has no query or fragment",
        "une URL d'émetteur n'a ni requête ni fragment",
    ),
    (
        "at most 20 scopes, each a word",
        "20 portées au plus, chacune un mot",
    ),
    ("at most 256 KiB", "256 Kio au plus"),
    (
        "at most {MAX_PROVIDERS} providers",
        "{MAX_PROVIDERS} fournisseurs au plus",
    ),
    ("at most {MAX_RULES} rules", "{MAX_RULES} règles au plus"),
    (
        "give either idp_metadata_xml or idp_metadata_url",
        "indiquez soit idp_metadata_xml, soit idp_metadata_url",
    ),
    ("must include openid", "doit comprendre openid"),
    (
        "must be SAML metadata (an EntityDescriptor)",
        "doit être une métadonnée SAML (un EntityDescriptor)",
    ),
    (
        "must not contain a DOCTYPE",
        "ne doit pas contenir de DOCTYPE",
    ),
    ("not SAML metadata: {e}", "pas des métadonnées SAML : {e}"),
    (
        "not a valid expression: {e}",
        "pas une expression valide : {e}",
    ),
    (
        "required for protocol oidc",
        "obligatoire pour le protocole oidc",
    ),
    (
        "required for protocol saml",
        "obligatoire pour le protocole saml",
    ),
    ("the name of a claim", "le nom d'une revendication (claim)"),
    (
        "1 to 128 letters, digits or . _ @ + -",
        "1 à 128 lettres, chiffres ou . _ @ + -",
    ),
    ("1 to 32 of a-z 0-9 -", "1 à 32 caractères parmi a-z 0-9 -"),
    ("1 to 64 characters", "1 à 64 caractères"),
    (
        "1 to 64 characters, without ':'",
        "1 à 64 caractères, sans « : »",
    ),
    ("16 to 256 characters", "16 à 256 caractères"),
    (
        "TOTP is not enabled on this platform",
        "le TOTP n'est pas activé sur cette plateforme",
    ),
    (
        "a language tag like en or fr-CA",
        "un code de langue comme en ou fr-CA",
    ),
    (
        "a user with this username exists",
        "un utilisateur porte déjà ce nom",
    ),
    (
        "add an email address first",
        "ajoutez d'abord une adresse e-mail",
    ),
    (
        "admin_settings cannot be disabled: it is where modules are turned back on",
        "admin_settings ne peut pas être désactivé : c'est là que l'on réactive les modules",
    ),
    (
        "an IANA time zone like Europe/Paris",
        "un fuseau horaire IANA comme Europe/Paris",
    ),
    (
        "an IPv4 or IPv6 address or CIDR",
        "une adresse ou un CIDR IPv4 ou IPv6",
    ),
    (
        "an RFC 3339 time like 2027-01-31T12:00:00Z",
        "une date RFC 3339 comme 2027-01-31T12:00:00Z",
    ),
    ("at least one origin", "au moins une origine"),
    (
        "at most 100 characters, no control characters",
        "100 caractères au plus, sans caractère de contrôle",
    ),
    ("at most 16 KiB", "16 Kio au plus"),
    (
        "at most 64 characters, no control characters",
        "64 caractères au plus, sans caractère de contrôle",
    ),
    (
        "at most {MAX_CALLBACKS} callbacks",
        "{MAX_CALLBACKS} rappels au plus",
    ),
    (
        "at most {MAX_LOCATIONS} trusted locations",
        "{MAX_LOCATIONS} emplacements de confiance au plus",
    ),
    (
        "at most {MAX_PASSKEYS} passkeys per user: delete one first",
        "{MAX_PASSKEYS} clés d'accès au plus par utilisateur : supprimez-en une d'abord",
    ),
    (
        "at most {MAX_URL_LEN} characters",
        "{MAX_URL_LEN} caractères au plus",
    ),
    (
        "at most {MAX_WHITELIST} entries",
        "{MAX_WHITELIST} entrées au plus",
    ),
    (
        "at most {max} characters, no control characters",
        "{max} caractères au plus, sans caractère de contrôle",
    ),
    (
        "choose at least one event",
        "choisissez au moins un événement",
    ),
    (
        "digits, spaces and + - ( ) . only",
        "uniquement des chiffres, des espaces et + - ( ) .",
    ),
    (
        "dot-separated segments of letters, digits, '_' and '-'",
        "des segments séparés par des points, faits de lettres, chiffres, « _ » et « - »",
    ),
    (
        "email codes are not enabled on this platform",
        "les codes par e-mail ne sont pas activés sur cette plateforme",
    ),
    (
        "your account does not use codes sent by email",
        "votre compte n'utilise pas de codes envoyés par e-mail",
    ),
    ("is listed twice", "figure deux fois"),
    (
        "is one of the most common passwords",
        "est l'un des mots de passe les plus courants",
    ),
    (
        "letters, digits, '.', '_', '-' and {variables} only",
        "uniquement des lettres, chiffres, « . », « _ », « - » et des {variables}",
    ),
    ("must be a JSON object", "doit être un objet JSON"),
    (
        "must be a domain name, e.g. example.com",
        "doit être un nom de domaine, p. ex. example.com",
    ),
    (
        "must be an HTTP header name, e.g. X-Forwarded-For",
        "doit être un nom d'en-tête HTTP, p. ex. X-Forwarded-For",
    ),
    (
        "must be an absolute https:// URL",
        "doit être une URL https:// absolue",
    ),
    (
        "must be an email address like name@example.com",
        "doit être une adresse e-mail comme nom@example.com",
    ),
    ("must be an https:// URL", "doit être une URL https://"),
    (
        "must be between {min} and {max}",
        "doit être entre {min} et {max}",
    ),
    (
        "must be https (http only to loopback)",
        "doit être en https (http seulement vers la boucle locale)",
    ),
    ("must be in the future", "doit être dans le futur"),
    (
        "must have at least {MIN_CHARS} characters",
        "doit comporter au moins {MIN_CHARS} caractères",
    ),
    ("must name a host", "doit nommer un hôte"),
    ("must not be empty", "ne doit pas être vide"),
    (
        "must not be the product name",
        "ne doit pas être le nom du produit",
    ),
    (
        "must not carry a user name or password",
        "ne doit contenir ni nom d'utilisateur ni mot de passe",
    ),
    (
        "must not contain the username",
        "ne doit pas contenir le nom d'utilisateur",
    ),
    (
        "must use https (plain http only to loopback)",
        "doit utiliser https (http simple seulement vers la boucle locale)",
    ),
    (
        "not a PublicKeyCredential JSON: {e}",
        "pas un JSON PublicKeyCredential : {e}",
    ),
    ("not a URL", "pas une URL"),
    ("one of none, email, totp", "none, email ou totp"),
    (
        "recovery codes need a second factor: turn on email or TOTP first",
        "les codes de secours demandent un second facteur : activez d'abord l'e-mail ou le TOTP",
    ),
    (
        "set up an authenticator app first (POST /api/v01/me/2fa/totp)",
        "configurez d'abord une application d'authentification (POST /api/v01/me/2fa/totp)",
    ),
    (
        "start the authenticator setup first",
        "commencez d'abord la configuration de l'application",
    ),
    (
        "the authenticator's answer was refused: start again",
        "la réponse de l'authentificateur a été refusée : recommencez",
    ),
    (
        "the list does not contain your current address {}; saving it would lock you out",
        "la liste ne contient pas votre adresse actuelle {} ; l'enregistrer vous bloquerait",
    ),
    (
        "the setup was restarted meanwhile",
        "la configuration a été relancée entre-temps",
    ),
    (
        "this is not the app's current code",
        "ce n'est pas le code actuel de l'application",
    ),
    (
        "this passkey is already registered",
        "cette clé d'accès est déjà enregistrée",
    ),
    (
        "two-factor authentication is required for your account",
        "l'authentification à deux facteurs est obligatoire pour votre compte",
    ),
    (
        "unknown event {e:?}; known: {}",
        "événement inconnu {e:?} ; connus : {}",
    ),
    (
        "unknown field or wrong type",
        "champ inconnu ou de mauvais type",
    ),
    (
        "unknown module {m:?}; known: {}",
        "module inconnu {m:?} ; connus : {}",
    ),
    (
        "unknown, used or expired: start again",
        "inconnu, utilisé ou expiré : recommencez",
    ),
    (
        "you cannot delete yourself",
        "vous ne pouvez pas vous supprimer vous-même",
    ),
    (
        "you cannot disable yourself or drop your own admin role",
        "vous ne pouvez ni vous désactiver ni retirer votre propre rôle d'administrateur",
    ),
    ("you have no passkey", "vous n'avez aucune clé d'accès"),
    (
        "your second factor is email: choose another option before removing the address",
        "votre second facteur est l'e-mail : choisissez une autre option avant de retirer l'adresse",
    ),
    (
        "{e:?} is not an IPv4 or IPv6 address or CIDR",
        "{e:?} n'est pas une adresse ou un CIDR IPv4 ou IPv6",
    ),
    // The one `why` the engine gives, before the general form.
    (
        "{ip} is not an address to call",
        "{ip} n'est pas une adresse à appeler",
    ),
    ("{ip} is {why}", "{ip} est {why}"),
    ("{m:?} is listed twice", "{m:?} figure deux fois"),
    (
        "{r:?}: 1 to 32 of a-z 0-9 _ -",
        "{r:?} : 1 à 32 caractères parmi a-z 0-9 _ -",
    ),
    (
        "{raw:?} is not an origin like https://app.example.com",
        "{raw:?} n'est pas une origine comme https://app.example.com",
    ),
    (
        "{rp_id:?} is not the host of {o:?} nor a domain above it",
        "{rp_id:?} n'est ni l'hôte de {o:?} ni un domaine au-dessus",
    ),
    (
        "{rp_id:?} must be a domain name equal to or above the host of {first}",
        "{rp_id:?} doit être un nom de domaine égal ou supérieur à l'hôte de {first}",
    ),
];

/// A template's literal pieces and its placeholders' names, in order.
fn pieces(template: &str) -> (Vec<&str>, Vec<&str>) {
    let mut literals = Vec::new();
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        literals.push(&rest[..open]);
        names.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    literals.push(rest);
    (literals, names)
}

/// The parts of `text` that `template`'s placeholders stand for, or None when it does not fit.
fn matches<'t>(template: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let (literals, _) = pieces(template);
    let (first, others) = literals.split_first()?;
    let mut rest = text.strip_prefix(first)?;
    let mut holes = Vec::new();
    for (i, literal) in others.iter().enumerate() {
        let last = i + 1 == others.len();
        let at = if last {
            rest.len().checked_sub(literal.len())?
        } else {
            rest.find(literal)?
        };
        if !rest[at..].starts_with(literal) {
            return None;
        }
        holes.push(&rest[..at]);
        rest = &rest[at + literal.len()..];
    }
    rest.is_empty().then_some(holes)
}

/// `template` with each placeholder replaced by the part its name had in `source`.
fn substitute(source: &str, holes: &[&str], template: &str) -> String {
    let (_, source_names) = pieces(source);
    let (literals, names) = pieces(template);
    let mut out = String::new();
    for (i, literal) in literals.iter().enumerate() {
        out.push_str(literal);
        if let Some(name) = names.get(i) {
            let at = source_names.iter().position(|n| n == name).unwrap_or(i);
            out.push_str(holes.get(at).copied().unwrap_or_default());
        }
    }
    out
}

/// The French of an engine reason, when the catalogue has it. Of the texts that fit, the
/// one with the most fixed text wins (`{ip} is {why}` fits much that is not its own).
pub fn french(reason: &str) -> Option<String> {
    FRENCH
        .iter()
        .filter_map(|(en, fr)| matches(en, reason).map(|holes| (en, fr, holes)))
        .max_by_key(|(en, _, _)| pieces(en).0.iter().map(|l| l.len()).sum::<usize>())
        .map(|(en, fr, holes)| substitute(en, &holes, fr))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn fixed_and_templated_reasons_are_translated() {
        assert_eq!(
            french("must not be empty").as_deref(),
            Some("ne doit pas être vide")
        );
        assert_eq!(
            french("must have at least 12 characters").as_deref(),
            Some("doit comporter au moins 12 caractères")
        );
        assert_eq!(
            french("must be between 1 and 100").as_deref(),
            Some("doit être entre 1 et 100")
        );
        assert_eq!(
            french("\"a.example\" is not the host of \"https://b.example\" nor a domain above it")
                .as_deref(),
            Some("\"a.example\" n'est ni l'hôte de \"https://b.example\" ni un domaine au-dessus")
        );
        assert_eq!(french("something the catalogue lacks"), None);
        assert_eq!(french("must not be empty, really"), None);
    }

    /// The reasons written in the engine's `Error::invalid(..)` and `Error::Conflict(..)` calls
    /// (their last string literal; field names and separators are not reasons).
    fn engine_reasons() -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/src");
        let mut files = vec![root];
        let mut reasons = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).expect("engine sources") {
                    files.push(entry.expect("entry").path());
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).expect("readable");
            let code = source.split("#[cfg(test)]").next().unwrap_or_default();
            for start in ["Error::invalid(", "Error::Conflict("] {
                for (at, _) in code.match_indices(start) {
                    let call = &code[at + start.len()..];
                    let mut depth = 1;
                    let mut end = call.len();
                    let mut in_string = false;
                    let mut chars = call.char_indices();
                    while let Some((i, c)) = chars.next() {
                        match c {
                            '\\' if in_string => {
                                chars.next();
                            }
                            '"' => in_string = !in_string,
                            '(' if !in_string => depth += 1,
                            ')' if !in_string => {
                                depth -= 1;
                                if depth == 0 {
                                    end = i;
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    let literals: Vec<&str> = call[..end].split('"').skip(1).step_by(2).collect();
                    let reason = literals
                        .iter()
                        .rev()
                        .find(|l| l.contains(' ') && **l != ", ");
                    if let Some(reason) = reason {
                        reasons.push(reason.replace("\\\"", "\""));
                    }
                }
            }
        }
        reasons
    }

    #[test]
    fn every_engine_reason_has_french() {
        let reasons = engine_reasons();
        assert!(reasons.len() > 40, "found only {} reasons", reasons.len());
        let missing: Vec<_> = reasons
            .iter()
            .filter(|r| !FRENCH.iter().any(|(en, _)| en == r))
            .collect();
        assert!(missing.is_empty(), "no French for: {missing:#?}");
    }
}
