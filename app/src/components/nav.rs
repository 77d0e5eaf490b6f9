//! The pages behind the `modules` setting, in menu order: one list for the top bar, the
//! start page and the security page's links.

/// A page a module switches on or off.
pub struct NavPage {
    pub module: &'static str,
    pub path: &'static str,
    pub label: &'static str,
}

/// In the top bar, for every signed-in user.
pub const MAIN: [NavPage; 5] = [
    NavPage {
        module: "profile",
        path: "/profile",
        label: "Profile",
    },
    NavPage {
        module: "security",
        path: "/security",
        label: "Security",
    },
    NavPage {
        module: "passkeys",
        path: "/passkeys",
        label: "Passkeys",
    },
    NavPage {
        module: "sessions",
        path: "/sessions",
        label: "Sessions",
    },
    NavPage {
        module: "callbacks",
        path: "/callbacks",
        label: "Callbacks",
    },
];

/// Linked from the security page ("Sign-in protection").
pub const PROTECTION: [NavPage; 3] = [
    NavPage {
        module: "trusted",
        path: "/trusted",
        label: "Trusted devices and networks",
    },
    NavPage {
        module: "login_attempts",
        path: "/login-attempts",
        label: "Recent sign-ins",
    },
    NavPage {
        module: "ip_whitelist",
        path: "/ip-whitelist",
        label: "Allowed addresses",
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
