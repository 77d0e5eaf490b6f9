//! Engine results into wire types; used by both doors.

use super::account_types::*;
use super::passkey_types::*;
use super::security_types::*;
use super::types::*;
use engine::clock::rfc3339;

pub fn profile(u: engine::User, admin_view: bool) -> Profile {
    Profile {
        registered_on: rfc3339(u.registered_on),
        two_factor: TwoFactorStatus {
            option: u.two_factor_option,
        },
        m2m_token: M2mStatus {
            set: u.m2m_set,
            expires_at: u.m2m_expires_at.map(rfc3339),
            token: u.m2m_token,
        },
        disabled: admin_view.then_some(u.disabled),
        two_factor_forced_email: admin_view.then_some(u.two_factor_forced_email),
        locked_until: if admin_view {
            u.locked_until.map(rfc3339)
        } else {
            None
        },
        id: u.id,
        username: u.username,
        firstname: u.firstname,
        lastname: u.lastname,
        mobile: u.mobile,
        email: u.email,
        system: u.system,
        profile: u.profile,
        ui_profile: u.ui_profile,
        language: u.language,
        timezone: u.timezone,
        roles: u.roles,
        properties: u.properties,
        idp: u.idp,
        force_change_password: u.force_change_password,
    }
}

pub fn profile_changes(p: &ProfilePatch) -> engine::ProfileChanges {
    engine::ProfileChanges {
        firstname: p.firstname.clone(),
        lastname: p.lastname.clone(),
        mobile: p.mobile.clone(),
        email: p.email.clone(),
        language: p.language.clone(),
        timezone: p.timezone.clone(),
    }
}

pub fn user_changes(p: &UserPatch) -> engine::UserChanges {
    engine::UserChanges {
        profile_fields: engine::ProfileChanges {
            firstname: p.firstname.clone(),
            lastname: p.lastname.clone(),
            mobile: p.mobile.clone(),
            email: p.email.clone(),
            language: p.language.clone(),
            timezone: p.timezone.clone(),
        },
        system: p.system,
        profile: p.profile.clone(),
        ui_profile: p.ui_profile.clone(),
        roles: p.roles.clone(),
        properties: p.properties.clone(),
        disabled: p.disabled,
        force_change_password: p.force_change_password,
        two_factor_forced_email: p.two_factor_forced_email,
    }
}

pub fn new_user(c: &UserCreate) -> engine::NewUserInput {
    let patch = UserPatch {
        firstname: c.firstname.clone(),
        lastname: c.lastname.clone(),
        mobile: c.mobile.clone(),
        email: c.email.clone(),
        language: c.language.clone(),
        timezone: c.timezone.clone(),
        system: c.system,
        profile: c.profile.clone(),
        ui_profile: c.ui_profile.clone(),
        roles: c.roles.clone(),
        properties: c.properties.clone(),
        disabled: c.disabled,
        force_change_password: c.force_change_password,
        two_factor_forced_email: c.two_factor_forced_email,
    };
    engine::NewUserInput {
        username: c.username.clone(),
        password: c.password.clone(),
        changes: user_changes(&patch),
    }
}

pub fn settings(s: &engine::settings::Settings) -> PlatformSettings {
    serde_json::from_value(s.admin_view()).unwrap_or_default()
}

/// What the login page needs; `sso`: the providers one can sign in with.
pub fn ui_config(engine: &engine::Engine, sso: &[engine::sso::Provider]) -> UiConfig {
    let s = engine.settings();
    UiConfig {
        label: s.label.clone(),
        modules: s.modules.clone(),
        passkeys_enabled: engine.passkeys_available(),
        sso: sso_buttons(sso),
    }
}

pub fn sso_buttons(providers: &[engine::sso::Provider]) -> Vec<SsoButton> {
    providers
        .iter()
        .map(|p| SsoButton {
            id: p.id.clone(),
            name: p.settings.name.clone(),
            protocol: p.settings.protocol.as_str().to_string(),
        })
        .collect()
}

pub fn session_info(p: &engine::Principal, language: String) -> SessionInfo {
    SessionInfo {
        username: p.username.clone(),
        is_admin: p.is_admin(),
        pwd_change: p.pwd_change,
        language,
    }
}

/// The audit events filter of both doors; blank values are no filter, at most 500 events.
pub fn audit_filter(
    user: Option<String>,
    kind: Option<String>,
    since: Option<&str>,
) -> Result<engine::store::AuditFilter, engine::Error> {
    let blank_is_none =
        |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(engine::store::AuditFilter {
        username: blank_is_none(user),
        kind: blank_is_none(kind),
        since: engine::clock::parse_time("since", since)?.map(|t| t.timestamp_millis()),
        limit: 500,
    })
}

pub fn audit_event(e: engine::audit::AuditEvent) -> AuditEventView {
    AuditEventView {
        id: e.id,
        at: rfc3339(e.at),
        kind: e.kind,
        outcome: e.outcome,
        username: e.username,
        actor: e.actor,
        ip: e.ip,
        detail: e.detail,
    }
}

pub fn reset_request(r: ResetRequest) -> engine::ResetRequest {
    engine::ResetRequest {
        username: r.username,
        ui_id: r.ui_id,
        ui_language: r.ui_language,
        proxy: r.proxy,
    }
}

pub fn mail_template(b: MailTemplateBody) -> engine::mail::templates::MailTemplate {
    engine::mail::templates::MailTemplate {
        subject: b.subject,
        text: b.text,
        html: b.html.filter(|h| !h.trim().is_empty()),
    }
}

pub fn mail_template_view(e: engine::mail::catalog::TemplateEntry) -> MailTemplateView {
    MailTemplateView {
        name: e.name,
        subject: e.template.subject,
        text: e.template.text,
        html: e.template.html,
        shipped: e.shipped,
        has_default: e.has_default,
        updated_at: e.updated_at.map(rfc3339),
        updated_by: e.updated_by,
    }
}

pub fn mail_preview(r: engine::mail::templates::Rendered) -> MailPreview {
    MailPreview {
        subject: r.subject,
        text: r.text,
        html: r.html,
    }
}

pub fn tokens(t: engine::Tokens, device_token: Option<String>) -> TokenResponse {
    TokenResponse {
        access_token: t.access_token,
        refresh_token: t.refresh_token,
        token: t.m2m_token,
        device_token,
    }
}

pub fn login_answer(outcome: engine::LoginOutcome) -> LoginAnswer {
    match outcome {
        engine::LoginOutcome::SignedIn(s) => LoginAnswer::Tokens(tokens(s.tokens, s.device_token)),
        engine::LoginOutcome::SecondFactor(engine::SecondFactor { payload, option }) => {
            LoginAnswer::SecondFactor(SecondFactorChallenge { payload, option })
        }
    }
}

pub fn second_factor_input(r: SecondFactorRequest) -> engine::SecondFactorInput {
    engine::SecondFactorInput {
        payload: r.payload,
        code: r.code,
        trust_device: r.trust_device,
        trust_network: r.trust_network,
    }
}

pub fn two_factor_info(s: engine::TwoFactorStatus) -> TwoFactorInfo {
    TwoFactorInfo {
        option: s.option,
        forced: s.forced,
        email_available: s.email_available,
        totp_available: s.totp_available,
        recovery_codes_left: s.recovery_codes_left,
    }
}

pub fn totp_enrolment(e: engine::TotpEnrolment) -> TotpEnrolmentBody {
    TotpEnrolmentBody {
        secret: e.secret,
        otpauth_uri: e.otpauth_uri,
        qr_svg: e.qr_svg,
    }
}

pub fn trusted_location(l: engine::TrustedLocation) -> TrustedLocationView {
    TrustedLocationView {
        id: l.id,
        cidr: l.cidr,
        label: l.label,
        created_at: rfc3339(l.created_at),
    }
}

pub fn trusted(t: engine::Trusted) -> TrustedView {
    TrustedView {
        devices: t
            .devices
            .into_iter()
            .map(|d| TrustedDeviceView {
                id: d.id,
                label: d.label,
                created_at: rfc3339(d.created_at),
                last_used_at: d.last_used_at.map(rfc3339),
            })
            .collect(),
        locations: t.locations.into_iter().map(trusted_location).collect(),
    }
}

pub fn login_attempts(list: Vec<engine::LoginAttempt>) -> Vec<LoginAttemptView> {
    list.into_iter()
        .map(|a| LoginAttemptView {
            at: rfc3339(a.at),
            ip: a.ip,
            user_agent: a.user_agent,
            method: a.method,
            success: a.success,
            outcome: a.outcome,
            reason: a.reason,
        })
        .collect()
}

pub fn ceremony(c: engine::Ceremony) -> CeremonyStart {
    CeremonyStart {
        challenge_id: c.challenge_id,
        public_key: c.public_key,
    }
}

pub fn passkey(p: engine::PasskeyInfo) -> PasskeyView {
    PasskeyView {
        id: p.id,
        name: p.name,
        created_at: rfc3339(p.created_at),
        last_used_at: p.last_used_at.map(rfc3339),
    }
}

pub fn m2m_token(t: engine::M2mToken) -> M2mTokenView {
    M2mTokenView {
        token: t.token,
        expires_at: t.expires_at.map(rfc3339),
    }
}

pub fn sessions(list: Vec<engine::SessionInfo>) -> Vec<SessionView> {
    list.into_iter()
        .map(|s| SessionView {
            id: s.id,
            created_at: rfc3339(s.created_at),
            last_used_at: rfc3339(s.last_used_at),
            ip: s.ip,
            user_agent: s.user_agent,
            current: s.current,
        })
        .collect()
}

pub fn callbacks(list: Vec<engine::Callback>) -> Vec<CallbackView> {
    list.into_iter()
        .map(|c| CallbackView {
            url: c.url,
            events: c.events,
            has_secret: c.has_secret,
        })
        .collect()
}

pub fn callback_inputs(list: Vec<CallbackSet>) -> Vec<engine::CallbackInput> {
    list.into_iter()
        .map(|c| engine::CallbackInput {
            url: c.url,
            events: c.events,
            secret: c.secret,
        })
        .collect()
}

pub fn callback_test(t: engine::CallbackTest) -> CallbackTestResult {
    CallbackTestResult {
        ok: t.ok,
        status: t.status,
        error: t.error,
    }
}
