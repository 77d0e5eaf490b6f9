//! `/profile`: the signed-in user's profile, its edit form, the password change and the M2M
//! token.

use crate::api::json_codec::load;
use crate::api::me::{get_profile, update_profile};
use crate::api::types::{Profile, ProfilePatch};
use crate::components::browser::{input_value, time_zones, use_hydrated};
use crate::components::context::use_ui_config;
use crate::components::errors::{ErrorSignal, FieldError, FormAlert, Notice, general_message};
use crate::components::fields::TextField;
use crate::components::guard::RequireSignIn;
use crate::components::language::follow_language;
use crate::components::m2m_token::M2mTokenPanel;
use crate::components::password_change::PasswordChangeForm;
use crate::components::reauth::{ReauthPrompt, needs_reauth};
use crate::i18n::*;
use leptos::html::{Input, Select};
use leptos::prelude::*;
use leptos_meta::Title;

/// The languages of the UI, offered first in the picker, each named in its own language.
const LANGUAGES: [(&str, &str); 2] = [("en", "English"), ("fr", "Français")];

/// The keys the edit form sends; an error naming another field shows as the general alert.
const EDITABLE: [&str; 6] = [
    "firstname",
    "lastname",
    "mobile",
    "email",
    "language",
    "timezone",
];

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let profile = load(|| (), |_| get_profile());
    view! {
        <Title text=move || t_string!(i18n, account.profile.title) />
        <RequireSignIn module="profile">
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match profile.await {
                        Ok(p) => view! { <ProfileView profile=p /> }.into_any(),
                        Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </RequireSignIn>
    }
}

#[component]
fn ProfileView(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    // The summary follows what the server returned after each save.
    let current = RwSignal::new(profile.clone());
    let m2m = profile.m2m_token.clone();
    let password_notice = RwSignal::new(None);
    let ui = use_ui_config();
    let on_password_changed = Callback::new(move |()| {
        password_notice.set(Some(tu_string!(i18n, account.profile.password_changed)))
    });
    view! {
        <div class="page">
            <ProfileSummary profile=current />
            <section class="panel" aria-labelledby="edit-heading">
                <h2 id="edit-heading">{t!(i18n, account.profile.edit_heading)}</h2>
                <ProfileForm profile on_saved=Callback::new(move |p| current.set(p)) />
            </section>
            <section class="panel" aria-labelledby="password-heading">
                <h2 id="password-heading">{t!(i18n, account.profile.password_heading)}</h2>
                <Notice text=password_notice />
                <PasswordChangeForm on_done=on_password_changed />
            </section>
            <section class="panel" aria-labelledby="m2m-heading">
                <h2 id="m2m-heading">{t!(i18n, account.profile.m2m_heading)}</h2>
                <M2mTokenPanel status=m2m />
            </section>
            <section class="panel" aria-labelledby="methods-heading">
                <h2 id="methods-heading">{t!(i18n, account.profile.methods_heading)}</h2>
                <ul class="links">
                    <li><a href="/security">{t!(i18n, account.profile.two_factor)}</a></li>
                    <Suspense>
                        {move || Suspend::new(async move {
                            ui.await.ok().filter(|c| c.passkeys_enabled).map(|_| view! {
                                <li><a href="/passkeys">{t!(i18n, account.profile.passkeys)}</a></li>
                            })
                        })}
                    </Suspense>
                </ul>
            </section>
        </div>
    }
}

fn full_name(p: &Profile) -> String {
    let name = format!("{} {}", p.firstname, p.lastname);
    if name.trim().is_empty() {
        p.username.clone()
    } else {
        name.trim().to_string()
    }
}

#[component]
fn ProfileSummary(profile: RwSignal<Profile>) -> impl IntoView {
    let i18n = use_i18n();
    let text = move |f: fn(&Profile) -> String| move || profile.with(f);
    let or_dash = |v: &Option<String>| {
        v.clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "—".to_string())
    };
    view! {
        <section class="panel" aria-labelledby="profile-heading">
            <h1 id="profile-heading">{text(full_name)}</h1>
            <dl class="summary">
                <dt>{t!(i18n, account.profile.username)}</dt>
                <dd id="profile-username">{text(|p| p.username.clone())}</dd>
                <dt>{t!(i18n, account.profile.first_name)}</dt>
                <dd>{text(|p| p.firstname.clone())}</dd>
                <dt>{t!(i18n, account.profile.last_name)}</dt>
                <dd>{text(|p| p.lastname.clone())}</dd>
                <dt>{t!(i18n, account.profile.mobile)}</dt>
                <dd>{move || profile.with(|p| or_dash(&p.mobile))}</dd>
                <dt>{t!(i18n, account.profile.email)}</dt>
                <dd>{move || profile.with(|p| or_dash(&p.email))}</dd>
                <dt>{t!(i18n, account.profile.language)}</dt>
                <dd>{text(|p| p.language.clone())}</dd>
                <dt>{t!(i18n, account.profile.time_zone)}</dt>
                <dd>{text(|p| p.timezone.clone())}</dd>
                <dt>{t!(i18n, account.profile.system_user)}</dt>
                <dd>
                    {move || {
                        if profile.with(|p| p.system) {
                            t_string!(i18n, account.profile.yes)
                        } else {
                            t_string!(i18n, account.profile.no)
                        }
                    }}
                </dd>
                <dt>{t!(i18n, account.profile.profile)}</dt>
                <dd>{move || profile.with(|p| or_dash(&p.profile))}</dd>
                <dt>{t!(i18n, account.profile.ui_profile)}</dt>
                <dd>{move || profile.with(|p| or_dash(&p.ui_profile))}</dd>
                <dt>{t!(i18n, account.profile.properties)}</dt>
                <dd>
                    <code>
                        {text(|p| match p.properties.as_object() {
                            Some(o) if o.is_empty() => "—".to_string(),
                            _ => p.properties.to_string(),
                        })}
                    </code>
                </dd>
                <dt>{t!(i18n, account.profile.roles)}</dt>
                <dd>{text(|p| if p.roles.is_empty() { "—".to_string() } else { p.roles.join(", ") })}</dd>
                <dt>{t!(i18n, account.profile.registered_on)}</dt>
                <dd>
                    <time datetime=text(|p| p.registered_on.clone())>
                        // The date is enough here; the full timestamp is in the datetime attribute.
                        {text(|p| p.registered_on.split('T').next().unwrap_or_default().to_string())}
                    </time>
                </dd>
            </dl>
        </section>
    }
}

#[component]
fn ProfileForm(profile: Profile, on_saved: Callback<Profile>) -> impl IntoView {
    let i18n = use_i18n();
    let hydrated = use_hydrated();
    let refs: [NodeRef<Input>; 5] = Default::default();
    let [firstname, lastname, mobile, email, timezone] = refs;
    let language = NodeRef::<Select>::new();
    // Filled once hydrated: the browser lists the IANA time zones.
    let zones = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| zones.set(time_zones()));
    // The name of a language the UI lacks is "(other)", in the UI's language.
    let mut languages: Vec<(String, Option<&'static str>)> = LANGUAGES
        .iter()
        .map(|(tag, name)| (tag.to_string(), Some(*name)))
        .collect();
    if !languages.iter().any(|(tag, _)| *tag == profile.language) {
        languages.push((profile.language.clone(), None));
    }
    let current_language = profile.language.clone();
    let error: ErrorSignal = RwSignal::new(None);
    let notice = RwSignal::new(None);
    // The patch waiting for the user to confirm their password (changing the email needs a
    // recent sign-in); the prompt shows while it is set.
    let waiting = RwSignal::new(None::<ProfilePatch>);

    let save = Action::new(move |patch: &ProfilePatch| {
        let patch = patch.clone();
        async move {
            match update_profile(patch.clone()).await {
                Ok(saved) => {
                    // The UI speaks the newly chosen language at once.
                    follow_language(i18n, &saved.language);
                    notice.set(Some(tu_string!(i18n, account.profile.saved)));
                    on_saved.run(saved);
                }
                Err(e) if needs_reauth(&e) => waiting.set(Some(patch)),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let pending = save.pending();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        waiting.set(None);
        save.dispatch(ProfilePatch {
            firstname: Some(input_value(firstname)),
            lastname: Some(input_value(lastname)),
            mobile: Some(input_value(mobile)),
            email: Some(input_value(email)),
            language: language.get_untracked().map(|el| el.value()),
            timezone: Some(input_value(timezone)),
            ..Default::default()
        });
    };

    view! {
        <form class="form grid" method="post" novalidate on:submit=on_submit>
            <TextField id="firstname" label=move || t_string!(i18n, account.profile.first_name) value=profile.firstname node_ref=firstname error autocomplete="given-name" />
            <TextField id="lastname" label=move || t_string!(i18n, account.profile.last_name) value=profile.lastname node_ref=lastname error autocomplete="family-name" />
            <TextField id="mobile" label=move || t_string!(i18n, account.profile.mobile) kind="tel" value=profile.mobile.unwrap_or_default() node_ref=mobile error autocomplete="tel" />
            <TextField
                id="email"
                label=move || t_string!(i18n, account.profile.email)
                kind="email"
                value=profile.email.unwrap_or_default()
                node_ref=email
                error
                autocomplete="email"
                hint=move || t_string!(i18n, account.profile.email_hint)
            />
            <div class="field">
                <label for="language">{t!(i18n, account.profile.language)}</label>
                <select id="language" name="language" node_ref=language aria-describedby="language-error">
                    {languages.into_iter().map(|(tag, name)| {
                        let selected = tag == current_language;
                        let value = tag.clone();
                        let text = move || {
                            let name = name.unwrap_or_else(|| t_string!(i18n, account.profile.other_language));
                            format!("{name} ({tag})")
                        };
                        view! { <option value=value selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
                <FieldError id="language" error />
            </div>
            <div class="field">
                <label for="timezone">{t!(i18n, account.profile.time_zone)}</label>
                <input id="timezone" name="timezone" type="text" list="timezones" value=profile.timezone node_ref=timezone autocomplete="off" spellcheck="false" aria-describedby="timezone-hint timezone-error" />
                <datalist id="timezones">
                    {move || zones.get().into_iter().map(|z| view! { <option value=z /> }).collect_view()}
                </datalist>
                <p class="hint" id="timezone-hint">{t!(i18n, account.profile.time_zone_hint)}</p>
                <FieldError id="timezone" error />
            </div>
            <div class="actions">
                <FormAlert error fields=&EDITABLE />
                <Notice text=notice />
                <button type="submit" class="primary" disabled=move || !hydrated.get() || pending.get()>
                    {move || {
                        if pending.get() {
                            t_string!(i18n, account.profile.saving)
                        } else {
                            t_string!(i18n, account.profile.save)
                        }
                    }}
                </button>
            </div>
        </form>
        {move || {
            waiting
                .get()
                .map(|patch| {
                    let patch = StoredValue::new(patch);
                    view! {
                        <ReauthPrompt
                            reason=move || t_string!(i18n, account.profile.reauth_reason)
                            action=move || t_string!(i18n, account.profile.reauth_action)
                            on_confirmed=Callback::new(move |()| {
                                // Read before hiding the prompt: hiding it disposes what it owns.
                                let patch = patch.get_value();
                                save.dispatch(patch);
                                waiting.set(None);
                            })
                            on_cancel=Callback::new(move |()| waiting.set(None))
                        />
                    }
                })
        }}
    }
}
