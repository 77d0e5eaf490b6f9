//! `/admin/settings`: every platform setting in one form. An invalid value is refused by the
//! server with its field named; the message then shows next to that field and nothing is saved.

use crate::api::ApiError;
use crate::api::admin::{get_settings, save_settings};
use crate::api::json_codec::load;
use crate::api::types::{MODULES, PlatformSettings, WorkflowSetting};
use crate::components::browser::{input_checked, input_value, textarea_value, use_hydrated};
use crate::components::context::use_ui_config;
use crate::components::errors::{ErrorSignal, FieldError, FormAlert, Notice, general_message};
use crate::components::fields::{CheckField, LinesField, TextField, lines_of, optional};
use crate::components::guard::RequireSignIn;
use crate::i18n::*;
use leptos::html::{Input, Textarea};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
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
    let i18n = use_i18n();
    let settings = load(|| (), |_| get_settings());
    view! {
        <Title text=move || t_string!(i18n, admin.settings.title) />
        <RequireSignIn admin=true>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
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

fn number(i18n: I18nContext<Locale>, key: &str, input: NodeRef<Input>) -> Result<u32, ApiError> {
    input_value(input)
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid_request(key, t_string!(i18n, admin.settings.whole_number)))
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
    fn read(&self, i18n: I18nContext<Locale>) -> Result<PlatformSettings, ApiError> {
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
                i18n,
                "lockout_duration_minutes",
                self.lockout_duration_minutes,
            )?,
            lockout_threshold: number(i18n, "lockout_threshold", self.lockout_threshold)?,
            force_two_factor: input_checked(self.force_two_factor),
            two_factor_mail_template: optional(&input_value(self.two_factor_mail_template)),
            client_ip_header: optional(&input_value(self.client_ip_header)),
            totp_issuer: optional(&input_value(self.totp_issuer)),
            allowed_origins: lines_of(&textarea_value(self.allowed_origins)),
            session_idle_timeout_minutes: number(
                i18n,
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
    let i18n = use_i18n();
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
                    notice.set(Some(t_string!(i18n, admin.settings.saved)));
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
        match inputs.read(i18n) {
            Ok(settings) => {
                save.dispatch(settings);
            }
            Err(e) => error.set(Some(e)),
        }
    };

    view! {
        <section class="panel page-wide">
            <h1>{t!(i18n, admin.settings.heading)}</h1>
            <form class="form settings" method="post" novalidate on:submit=on_submit>
                {move || view! { <SettingsFields settings=current.get() inputs error /> }}
                <div class="actions sticky">
                    <FormAlert error fields=&FIELDS />
                    <Notice text=notice />
                    <button type="submit" class="primary" disabled=move || !hydrated.get() || pending.get()>
                        {move || if pending.get() { t_string!(i18n, admin.settings.saving) } else { t_string!(i18n, admin.settings.save) }}
                    </button>
                </div>
            </form>
        </section>
    }
}

fn module_label(l: Locale, module: &str) -> &'static str {
    match module {
        "profile" => td_string!(l, admin.settings.modules.profile),
        "security" => td_string!(l, admin.settings.modules.security),
        "passkeys" => td_string!(l, admin.settings.modules.passkeys),
        "callbacks" => td_string!(l, admin.settings.modules.callbacks),
        "trusted" => td_string!(l, admin.settings.modules.trusted),
        "login_attempts" => td_string!(l, admin.settings.modules.login_attempts),
        "ip_whitelist" => td_string!(l, admin.settings.modules.ip_whitelist),
        "sessions" => td_string!(l, admin.settings.modules.sessions),
        "admin_users" => td_string!(l, admin.settings.modules.admin_users),
        "admin_settings" => td_string!(l, admin.settings.modules.admin_settings),
        "admin_events" => td_string!(l, admin.settings.modules.admin_events),
        _ => td_string!(l, admin.settings.modules.unknown),
    }
}

/// Whether a workflow's secret is stored (it is never sent back).
fn secret_set(w: &Option<WorkflowSetting>) -> bool {
    w.as_ref().is_some_and(|w| w.secret_set)
}

fn secret_hint(l: Locale, set: bool) -> &'static str {
    if set {
        td_string!(l, admin.settings.secret_set)
    } else {
        td_string!(l, admin.settings.secret_not_set)
    }
}

#[component]
fn SettingsFields(settings: PlatformSettings, inputs: Inputs, error: ErrorSignal) -> impl IntoView {
    let i18n = use_i18n();
    let s = settings;
    let modules = MODULES
        .iter()
        .zip(inputs.modules)
        .map(|(m, node_ref)| {
            let id = format!("module_{m}");
            view! {
                <div class="check">
                    <input id=id.clone() name="modules" value=*m type="checkbox" checked=s.modules.iter().any(|x| x == m) node_ref=node_ref />
                    <label for=id>{move || module_label(i18n.get_locale(), m)}</label>
                </div>
            }
        })
        .collect_view();
    let notification_set = secret_set(&s.reset_password_notification_workflow);
    let post_reset_set = secret_set(&s.post_reset_password_workflow);
    let url_of =
        |w: &Option<WorkflowSetting>| w.as_ref().map(|w| w.url.clone()).unwrap_or_default();
    view! {
        <fieldset>
            <legend>{t!(i18n, admin.settings.general)}</legend>
            <TextField id="label" label=move || t_string!(i18n, admin.settings.label) value=s.label node_ref=inputs.label error hint=move || t_string!(i18n, admin.settings.label_hint) />
            <fieldset class="checks" aria-describedby="modules-error">
                <legend>{t!(i18n, admin.settings.modules_legend)}</legend>
                {modules}
                <FieldError id="modules" error />
            </fieldset>
        </fieldset>
        <fieldset>
            <legend>{t!(i18n, admin.settings.mail_templates)}</legend>
            <TextField id="welcome_mail_template" label=move || t_string!(i18n, admin.settings.welcome_mail) value=s.welcome_mail_template node_ref=inputs.welcome_mail_template error />
            <TextField
                id="reset_password_mail_template"
                label=move || t_string!(i18n, admin.settings.reset_password_mail)
                value=s.reset_password_mail_template
                node_ref=inputs.reset_password_mail_template
                error
            />
            <TextField
                id="two_factor_mail_template"
                label=move || t_string!(i18n, admin.settings.two_factor_mail)
                value=s.two_factor_mail_template.unwrap_or_default()
                node_ref=inputs.two_factor_mail_template
                error
                hint=move || t_string!(i18n, admin.settings.two_factor_mail_hint)
            />
        </fieldset>
        <fieldset>
            <legend>{t!(i18n, admin.settings.notification_workflow)}</legend>
            <TextField
                id="reset_password_notification_workflow.url"
                label=move || t_string!(i18n, admin.settings.url)
                kind="url"
                value=url_of(&s.reset_password_notification_workflow)
                node_ref=inputs.notification_url
                error
                hint=move || t_string!(i18n, admin.settings.url_hint)
            />
            <TextField
                id="reset_password_notification_workflow.secret"
                label=move || t_string!(i18n, admin.settings.shared_secret)
                kind="password"
                autocomplete="new-password"
                node_ref=inputs.notification_secret
                error
                hint=move || secret_hint(i18n.get_locale(), notification_set)
            />
            <FieldError id=NOTIFICATION error />
        </fieldset>
        <fieldset>
            <legend>{t!(i18n, admin.settings.post_reset_workflow)}</legend>
            <TextField
                id="post_reset_password_workflow.url"
                label=move || t_string!(i18n, admin.settings.url)
                kind="url"
                value=url_of(&s.post_reset_password_workflow)
                node_ref=inputs.post_reset_url
                error
                hint=move || t_string!(i18n, admin.settings.url_hint)
            />
            <TextField
                id="post_reset_password_workflow.secret"
                label=move || t_string!(i18n, admin.settings.shared_secret)
                kind="password"
                autocomplete="new-password"
                node_ref=inputs.post_reset_secret
                error
                hint=move || secret_hint(i18n.get_locale(), post_reset_set)
            />
            <FieldError id=POST_RESET error />
        </fieldset>
        <fieldset>
            <legend>{t!(i18n, admin.settings.sign_in_security)}</legend>
            <TextField
                id="lockout_threshold"
                label=move || t_string!(i18n, admin.settings.lockout_threshold)
                kind="number"
                value=s.lockout_threshold.to_string()
                node_ref=inputs.lockout_threshold
                error
            />
            <TextField
                id="lockout_duration_minutes"
                label=move || t_string!(i18n, admin.settings.lockout_duration)
                kind="number"
                value=s.lockout_duration_minutes.to_string()
                node_ref=inputs.lockout_duration_minutes
                error
            />
            <TextField
                id="session_idle_timeout_minutes"
                label=move || t_string!(i18n, admin.settings.session_idle_timeout)
                kind="number"
                value=s.session_idle_timeout_minutes.to_string()
                node_ref=inputs.session_idle_timeout_minutes
                error
            />
            <CheckField id="force_two_factor" label=move || t_string!(i18n, admin.settings.force_two_factor) checked=s.force_two_factor node_ref=inputs.force_two_factor error />
            <TextField
                id="totp_issuer"
                label=move || t_string!(i18n, admin.settings.totp_issuer)
                value=s.totp_issuer.unwrap_or_default()
                node_ref=inputs.totp_issuer
                error
                hint=move || t_string!(i18n, admin.settings.totp_issuer_hint)
            />
            <TextField
                id="client_ip_header"
                label=move || t_string!(i18n, admin.settings.client_ip_header)
                value=s.client_ip_header.unwrap_or_default()
                node_ref=inputs.client_ip_header
                error
                hint=move || t_string!(i18n, admin.settings.client_ip_header_hint)
            />
            <LinesField
                id="allowed_origins"
                label=move || t_string!(i18n, admin.settings.allowed_origins)
                lines=s.allowed_origins
                node_ref=inputs.allowed_origins
                error
                hint=move || t_string!(i18n, admin.settings.allowed_origins_hint)
            />
        </fieldset>
        <fieldset>
            <legend>{t!(i18n, admin.settings.passkeys)}</legend>
            <CheckField id="webauthn_enabled" label=move || t_string!(i18n, admin.settings.webauthn_enabled) checked=s.webauthn_enabled node_ref=inputs.webauthn_enabled error />
            <TextField
                id="webauthn_display_name"
                label=move || t_string!(i18n, admin.settings.display_name)
                value=s.webauthn_display_name
                node_ref=inputs.webauthn_display_name
                error
            />
            <TextField
                id="webauthn_rp_id"
                label=move || t_string!(i18n, admin.settings.rp_id)
                value=s.webauthn_rp_id.unwrap_or_default()
                node_ref=inputs.webauthn_rp_id
                error
                hint=move || t_string!(i18n, admin.settings.rp_id_hint)
            />
            <LinesField
                id="webauthn_rp_origins"
                label=move || t_string!(i18n, admin.settings.rp_origins)
                lines=s.webauthn_rp_origins.unwrap_or_default()
                node_ref=inputs.webauthn_rp_origins
                error
                hint=move || t_string!(i18n, admin.settings.rp_origins_hint)
            />
        </fieldset>
    }
}
