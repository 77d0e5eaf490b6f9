//! `/admin/settings`: every platform setting in one form. An invalid value is refused by the
//! server with its field named; the message then shows next to that field and nothing is saved.

use crate::api::ApiError;
use crate::api::admin::{get_settings, save_settings};
use crate::api::types::{MODULES, PlatformSettings, WorkflowSetting};
use crate::components::browser::{input_checked, input_value, textarea_value, use_hydrated};
use crate::components::context::use_ui_config;
use crate::components::errors::{ErrorSignal, FieldError, FormAlert, Notice, general_message};
use crate::components::fields::{CheckField, LinesField, TextField, lines_of, optional};
use crate::components::guard::RequireSignIn;
use leptos::html::{Input, Textarea};
use leptos::prelude::*;
use leptos_meta::Title;

const NOTIFICATION: &str = "reset_password_notification_workflow";
const POST_RESET: &str = "post_reset_password_workflow";

/// Every field the form shows an error for; an error naming anything else is a general one.
const FIELDS: [&str; 22] = [
    "label",
    "modules",
    "welcome_mail_template",
    "reset_password_mail_template",
    NOTIFICATION,
    "reset_password_notification_workflow.url",
    "reset_password_notification_workflow.secret",
    POST_RESET,
    "post_reset_password_workflow.url",
    "post_reset_password_workflow.secret",
    "lockout_duration_minutes",
    "lockout_threshold",
    "force_two_factor",
    "two_factor_mail_template",
    "client_ip_header",
    "totp_issuer",
    "allowed_origins",
    "session_idle_timeout_minutes",
    "webauthn_enabled",
    "webauthn_display_name",
    "webauthn_rp_id",
    "webauthn_rp_origins",
];

#[component]
pub fn AdminSettingsPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| get_settings());
    view! {
        <Title text="Settings" />
        <RequireSignIn admin=true>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => view! { <SettingsForm settings=s /> }.into_any(),
                        Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </RequireSignIn>
    }
}

/// The inputs, read on submit.
#[derive(Clone, Copy, Default)]
struct Inputs {
    label: NodeRef<Input>,
    modules: [NodeRef<Input>; MODULES.len()],
    welcome_mail_template: NodeRef<Input>,
    reset_password_mail_template: NodeRef<Input>,
    notification_url: NodeRef<Input>,
    notification_secret: NodeRef<Input>,
    post_reset_url: NodeRef<Input>,
    post_reset_secret: NodeRef<Input>,
    lockout_duration_minutes: NodeRef<Input>,
    lockout_threshold: NodeRef<Input>,
    force_two_factor: NodeRef<Input>,
    two_factor_mail_template: NodeRef<Input>,
    client_ip_header: NodeRef<Input>,
    totp_issuer: NodeRef<Input>,
    allowed_origins: NodeRef<Textarea>,
    session_idle_timeout_minutes: NodeRef<Input>,
    webauthn_enabled: NodeRef<Input>,
    webauthn_display_name: NodeRef<Input>,
    webauthn_rp_id: NodeRef<Input>,
    webauthn_rp_origins: NodeRef<Textarea>,
}

fn number(key: &str, input: NodeRef<Input>) -> Result<u32, ApiError> {
    input_value(input)
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid_request(key, "Enter a whole number."))
}

/// An empty URL means no workflow; an empty secret keeps the stored one.
fn workflow(url: NodeRef<Input>, secret: NodeRef<Input>) -> Option<WorkflowSetting> {
    optional(&input_value(url)).map(|url| WorkflowSetting {
        url,
        secret: Some(input_value(secret)).filter(|s| !s.is_empty()),
        secret_set: false,
    })
}

impl Inputs {
    /// What the form says; refused here only when a number is not a number.
    fn read(&self) -> Result<PlatformSettings, ApiError> {
        let rp_origins = lines_of(&textarea_value(self.webauthn_rp_origins));
        Ok(PlatformSettings {
            label: input_value(self.label).trim().to_string(),
            modules: MODULES
                .iter()
                .zip(self.modules)
                .filter(|(_, input)| input_checked(*input))
                .map(|(m, _)| m.to_string())
                .collect(),
            welcome_mail_template: input_value(self.welcome_mail_template).trim().to_string(),
            reset_password_mail_template: input_value(self.reset_password_mail_template)
                .trim()
                .to_string(),
            reset_password_notification_workflow: workflow(
                self.notification_url,
                self.notification_secret,
            ),
            post_reset_password_workflow: workflow(self.post_reset_url, self.post_reset_secret),
            lockout_duration_minutes: number(
                "lockout_duration_minutes",
                self.lockout_duration_minutes,
            )?,
            lockout_threshold: number("lockout_threshold", self.lockout_threshold)?,
            force_two_factor: input_checked(self.force_two_factor),
            two_factor_mail_template: optional(&input_value(self.two_factor_mail_template)),
            client_ip_header: optional(&input_value(self.client_ip_header)),
            totp_issuer: optional(&input_value(self.totp_issuer)),
            allowed_origins: lines_of(&textarea_value(self.allowed_origins)),
            session_idle_timeout_minutes: number(
                "session_idle_timeout_minutes",
                self.session_idle_timeout_minutes,
            )?,
            webauthn_enabled: input_checked(self.webauthn_enabled),
            webauthn_display_name: input_value(self.webauthn_display_name).trim().to_string(),
            webauthn_rp_id: optional(&input_value(self.webauthn_rp_id)),
            webauthn_rp_origins: (!rp_origins.is_empty()).then_some(rp_origins),
        })
    }
}

#[component]
fn SettingsForm(settings: PlatformSettings) -> impl IntoView {
    let hydrated = use_hydrated();
    let ui_config = use_ui_config();
    let current = RwSignal::new(settings);
    let inputs = Inputs::default();
    let error: ErrorSignal = RwSignal::new(None);
    let notice = RwSignal::new(None);

    let save = Action::new(move |settings: &PlatformSettings| {
        let settings = settings.clone();
        async move {
            match save_settings(settings).await {
                Ok(saved) => {
                    // The form is drawn again from what the server kept.
                    current.set(saved);
                    notice.set(Some("Settings saved."));
                    // The top bar shows the label.
                    ui_config.refetch();
                }
                // The form keeps what was typed, so the value can be corrected.
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let pending = save.pending();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        match inputs.read() {
            Ok(settings) => {
                save.dispatch(settings);
            }
            Err(e) => error.set(Some(e)),
        }
    };

    view! {
        <section class="panel page-wide">
            <h1>"Platform settings"</h1>
            <form class="form settings" method="post" novalidate on:submit=on_submit>
                {move || view! { <SettingsFields settings=current.get() inputs error /> }}
                <div class="actions sticky">
                    <FormAlert error fields=&FIELDS />
                    <Notice text=notice />
                    <button type="submit" class="primary" disabled=move || !hydrated.get() || pending.get()>
                        {move || if pending.get() { "Saving…" } else { "Save settings" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

fn module_label(module: &str) -> &'static str {
    match module {
        "profile" => "Profile",
        "security" => "Security",
        "passkeys" => "Passkeys",
        "callbacks" => "Callbacks",
        "trusted" => "Trusted devices",
        "login_attempts" => "Login attempts",
        "ip_whitelist" => "IP allow list",
        "sessions" => "Sessions",
        "admin_users" => "Users (admin)",
        "admin_settings" => "Settings (admin)",
        "admin_events" => "Events (admin)",
        _ => "Other",
    }
}

fn secret_hint(w: &Option<WorkflowSetting>) -> &'static str {
    if w.as_ref().is_some_and(|w| w.secret_set) {
        "(set) Leave empty to keep the current secret."
    } else {
        "(not set) Write-only: it is never shown again."
    }
}

#[component]
fn SettingsFields(settings: PlatformSettings, inputs: Inputs, error: ErrorSignal) -> impl IntoView {
    let s = settings;
    let modules = MODULES
        .iter()
        .zip(inputs.modules)
        .map(|(m, node_ref)| {
            let id = format!("module_{m}");
            view! {
                <div class="check">
                    <input id=id.clone() name="modules" value=*m type="checkbox" checked=s.modules.iter().any(|x| x == m) node_ref=node_ref />
                    <label for=id>{module_label(m)}</label>
                </div>
            }
        })
        .collect_view();
    let notification_hint = secret_hint(&s.reset_password_notification_workflow);
    let post_reset_hint = secret_hint(&s.post_reset_password_workflow);
    let url_of =
        |w: &Option<WorkflowSetting>| w.as_ref().map(|w| w.url.clone()).unwrap_or_default();
    view! {
        <fieldset>
            <legend>"General"</legend>
            <TextField id="label" label="Label" value=s.label node_ref=inputs.label error hint="Shown above the login form and in the top bar." />
            <fieldset class="checks" aria-describedby="modules-error">
                <legend>"Modules"</legend>
                {modules}
                <FieldError id="modules" error />
            </fieldset>
        </fieldset>
        <fieldset>
            <legend>"Mail templates"</legend>
            <TextField id="welcome_mail_template" label="Welcome mail" value=s.welcome_mail_template node_ref=inputs.welcome_mail_template error />
            <TextField
                id="reset_password_mail_template"
                label="Reset password mail"
                value=s.reset_password_mail_template
                node_ref=inputs.reset_password_mail_template
                error
            />
            <TextField
                id="two_factor_mail_template"
                label="Two-factor code mail"
                value=s.two_factor_mail_template.unwrap_or_default()
                node_ref=inputs.two_factor_mail_template
                error
                hint="Empty: no two-factor codes by email."
            />
        </fieldset>
        <fieldset>
            <legend>"Reset password notification workflow"</legend>
            <TextField
                id="reset_password_notification_workflow.url"
                label="URL"
                kind="url"
                value=url_of(&s.reset_password_notification_workflow)
                node_ref=inputs.notification_url
                error
                hint="Empty: no workflow. https only (http to loopback)."
            />
            <TextField
                id="reset_password_notification_workflow.secret"
                label="Shared secret"
                kind="password"
                autocomplete="new-password"
                node_ref=inputs.notification_secret
                error
                hint=notification_hint
            />
            <FieldError id=NOTIFICATION error />
        </fieldset>
        <fieldset>
            <legend>"Post reset password workflow"</legend>
            <TextField
                id="post_reset_password_workflow.url"
                label="URL"
                kind="url"
                value=url_of(&s.post_reset_password_workflow)
                node_ref=inputs.post_reset_url
                error
                hint="Empty: no workflow. https only (http to loopback)."
            />
            <TextField
                id="post_reset_password_workflow.secret"
                label="Shared secret"
                kind="password"
                autocomplete="new-password"
                node_ref=inputs.post_reset_secret
                error
                hint=post_reset_hint
            />
            <FieldError id=POST_RESET error />
        </fieldset>
        <fieldset>
            <legend>"Sign-in security"</legend>
            <TextField
                id="lockout_threshold"
                label="Lockout threshold (failed attempts)"
                kind="number"
                value=s.lockout_threshold.to_string()
                node_ref=inputs.lockout_threshold
                error
            />
            <TextField
                id="lockout_duration_minutes"
                label="Lockout duration (minutes)"
                kind="number"
                value=s.lockout_duration_minutes.to_string()
                node_ref=inputs.lockout_duration_minutes
                error
            />
            <TextField
                id="session_idle_timeout_minutes"
                label="Session idle timeout (minutes)"
                kind="number"
                value=s.session_idle_timeout_minutes.to_string()
                node_ref=inputs.session_idle_timeout_minutes
                error
            />
            <CheckField id="force_two_factor" label="Require two-factor authentication" checked=s.force_two_factor node_ref=inputs.force_two_factor error />
            <TextField
                id="totp_issuer"
                label="Authenticator app issuer (TOTP)"
                value=s.totp_issuer.unwrap_or_default()
                node_ref=inputs.totp_issuer
                error
                hint="Empty: no authenticator apps."
            />
            <TextField
                id="client_ip_header"
                label="Client IP header"
                value=s.client_ip_header.unwrap_or_default()
                node_ref=inputs.client_ip_header
                error
                hint="Set only behind a proxy that sets it, e.g. X-Forwarded-For. Empty: the peer address."
            />
            <LinesField
                id="allowed_origins"
                label="Allowed origins (CORS)"
                lines=s.allowed_origins
                node_ref=inputs.allowed_origins
                error
                hint="One origin per line, e.g. https://app.example.com."
            />
        </fieldset>
        <fieldset>
            <legend>"Passkeys (WebAuthn)"</legend>
            <CheckField id="webauthn_enabled" label="Enable passkeys" checked=s.webauthn_enabled node_ref=inputs.webauthn_enabled error />
            <TextField
                id="webauthn_display_name"
                label="Display name"
                value=s.webauthn_display_name
                node_ref=inputs.webauthn_display_name
                error
            />
            <TextField
                id="webauthn_rp_id"
                label="Relying party ID"
                value=s.webauthn_rp_id.unwrap_or_default()
                node_ref=inputs.webauthn_rp_id
                error
                hint="A domain name. Empty: the host of the public URL."
            />
            <LinesField
                id="webauthn_rp_origins"
                label="Relying party origins"
                lines=s.webauthn_rp_origins.unwrap_or_default()
                node_ref=inputs.webauthn_rp_origins
                error
                hint="One origin per line. Empty: the public URL."
            />
        </fieldset>
    }
}
