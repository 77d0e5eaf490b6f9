//! The pages behind the `modules` setting, in menu order: one list for the top bar, the
//! start page and the security page's links.

use crate::i18n::{Locale, td_string};

/// A page a module switches on or off.
pub struct NavPage {
    pub module: &'static str,
    pub path: &'static str,
    /// The link's text in a language.
    pub label: fn(Locale) -> &'static str,
}

/// In the top bar, for every signed-in user.
pub const MAIN: [NavPage; 5] = [
    NavPage {
        module: "profile",
        path: "/profile",
        label: |l| td_string!(l, common.nav.profile),
    },
    NavPage {
        module: "security",
        path: "/security",
        label: |l| td_string!(l, common.nav.security),
    },
    NavPage {
        module: "passkeys",
        path: "/passkeys",
        label: |l| td_string!(l, common.nav.passkeys),
    },
    NavPage {
        module: "sessions",
        path: "/sessions",
        label: |l| td_string!(l, common.nav.sessions),
    },
    NavPage {
        module: "callbacks",
        path: "/callbacks",
        label: |l| td_string!(l, common.nav.callbacks),
    },
];

/// Linked from the security page ("Sign-in protection").
pub const PROTECTION: [NavPage; 3] = [
    NavPage {
        module: "trusted",
        path: "/trusted",
        label: |l| td_string!(l, common.nav.trusted),
    },
    NavPage {
        module: "login_attempts",
        path: "/login-attempts",
        label: |l| td_string!(l, common.nav.login_attempts),
    },
    NavPage {
        module: "ip_whitelist",
        path: "/ip-whitelist",
        label: |l| td_string!(l, common.nav.ip_whitelist),
    },
];

pub fn module_on(modules: &[String], module: &str) -> bool {
    modules.iter().any(|m| m == module)
}

pub fn enabled(modules: &[String], page: &NavPage) -> bool {
    module_on(modules, page.module)
}

/// Where `/` leads a signed-in user: the first enabled page of the menu.
pub fn start_page(modules: &[String]) -> &'static str {
    MAIN.iter()
        .chain(PROTECTION.iter())
        .find(|p| enabled(modules, p))
        .map_or("/profile", |p| p.path)
}
