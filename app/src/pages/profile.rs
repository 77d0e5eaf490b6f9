//! `/profile`: the signed-in user's profile, its edit form, the password change and the M2M
//! token.

use crate::api::me::{get_profile, update_profile};
use crate::api::types::{Profile, ProfilePatch};
use crate::components::browser::{input_value, time_zones, use_hydrated};
use crate::components::context::use_ui_config;
use crate::components::errors::{ErrorSignal, FieldError, FormAlert, Notice, general_message};
use crate::components::fields::TextField;
use crate::components::guard::RequireSignIn;
use crate::components::m2m_token::M2mTokenPanel;
use crate::components::password_change::PasswordChangeForm;
use crate::components::reauth::{ReauthPrompt, needs_reauth};
use leptos::html::{Input, Select};
use leptos::prelude::*;
use leptos_meta::Title;

/// The languages of the UI, offered first in the picker.
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
    let profile = Resource::new(|| (), |_| get_profile());
    view! {
        <Title text="Profile" />
        <RequireSignIn module="profile">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
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
    // The summary follows what the server returned after each save.
    let current = RwSignal::new(profile.clone());
    let m2m = profile.m2m_token.clone();
    let password_notice = RwSignal::new(None);
    let ui = use_ui_config();
    let on_password_changed = Callback::new(move |()| {
        password_notice.set(Some(
            "Password changed. Your other sessions were signed out.",
        ))
    });
    view! {
        <div class="page">
            <ProfileSummary profile=current />
            <section class="panel" aria-labelledby="edit-heading">
                <h2 id="edit-heading">"Edit profile"</h2>
                <ProfileForm profile on_saved=Callback::new(move |p| current.set(p)) />
            </section>
            <section class="panel" aria-labelledby="password-heading">
                <h2 id="password-heading">"Change password"</h2>
                <Notice text=password_notice />
                <PasswordChangeForm on_done=on_password_changed />
            </section>
            <section class="panel" aria-labelledby="m2m-heading">
                <h2 id="m2m-heading">"M2M token"</h2>
                <M2mTokenPanel status=m2m />
            </section>
            <section class="panel" aria-labelledby="methods-heading">
                <h2 id="methods-heading">"Other ways to sign in"</h2>
                <ul class="links">
                    <li><a href="/security">"Two-factor authentication"</a></li>
                    <Suspense>
                        {move || Suspend::new(async move {
                            ui.await.ok().filter(|c| c.passkeys_enabled).map(|_| view! {
                                <li><a href="/passkeys">"Passkeys"</a></li>
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
                <dt>"Username"</dt>
                <dd id="profile-username">{text(|p| p.username.clone())}</dd>
                <dt>"First name"</dt>
                <dd>{text(|p| p.firstname.clone())}</dd>
                <dt>"Last name"</dt>
                <dd>{text(|p| p.lastname.clone())}</dd>
                <dt>"Mobile"</dt>
                <dd>{move || profile.with(|p| or_dash(&p.mobile))}</dd>
                <dt>"Email"</dt>
                <dd>{move || profile.with(|p| or_dash(&p.email))}</dd>
                <dt>"Language"</dt>
                <dd>{text(|p| p.language.clone())}</dd>
                <dt>"Time zone"</dt>
                <dd>{text(|p| p.timezone.clone())}</dd>
                <dt>"System user"</dt>
                <dd>{text(|p| if p.system { "Yes" } else { "No" }.to_string())}</dd>
                <dt>"Profile"</dt>
                <dd>{move || profile.with(|p| or_dash(&p.profile))}</dd>
                <dt>"UI profile"</dt>
                <dd>{move || profile.with(|p| or_dash(&p.ui_profile))}</dd>
                <dt>"Properties"</dt>
                <dd>
                    <code>
                        {text(|p| match p.properties.as_object() {
                            Some(o) if o.is_empty() => "—".to_string(),
                            _ => p.properties.to_string(),
                        })}
                    </code>
                </dd>
                <dt>"Roles"</dt>
                <dd>{text(|p| if p.roles.is_empty() { "—".to_string() } else { p.roles.join(", ") })}</dd>
                <dt>"Registered on"</dt>
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
    let hydrated = use_hydrated();
    let refs: [NodeRef<Input>; 5] = Default::default();
    let [firstname, lastname, mobile, email, timezone] = refs;
    let language = NodeRef::<Select>::new();
    // Filled once hydrated: the browser lists the IANA time zones.
    let zones = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| zones.set(time_zones()));
    let mut languages: Vec<(String, &'static str)> = LANGUAGES
        .iter()
        .map(|(tag, name)| (tag.to_string(), *name))
        .collect();
    if !languages.iter().any(|(tag, _)| *tag == profile.language) {
        languages.push((profile.language.clone(), "(other)"));
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
                    notice.set(Some("Profile saved."));
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
            <TextField id="firstname" label="First name" value=profile.firstname node_ref=firstname error autocomplete="given-name" />
            <TextField id="lastname" label="Last name" value=profile.lastname node_ref=lastname error autocomplete="family-name" />
            <TextField id="mobile" label="Mobile" kind="tel" value=profile.mobile.unwrap_or_default() node_ref=mobile error autocomplete="tel" />
            <TextField
                id="email"
                label="Email"
                kind="email"
                value=profile.email.unwrap_or_default()
                node_ref=email
                error
                autocomplete="email"
                hint="Changing it asks for your password again."
            />
            <div class="field">
                <label for="language">"Language"</label>
                <select id="language" name="language" node_ref=language aria-describedby="language-error">
                    {languages.into_iter().map(|(tag, name)| {
                        let selected = tag == current_language;
                        view! { <option value=tag.clone() selected=selected>{format!("{name} ({tag})")}</option> }
                    }).collect_view()}
                </select>
                <FieldError id="language" error />
            </div>
            <div class="field">
                <label for="timezone">"Time zone"</label>
                <input id="timezone" name="timezone" type="text" list="timezones" value=profile.timezone node_ref=timezone autocomplete="off" spellcheck="false" aria-describedby="timezone-hint timezone-error" />
                <datalist id="timezones">
                    {move || zones.get().into_iter().map(|z| view! { <option value=z /> }).collect_view()}
                </datalist>
                <p class="hint" id="timezone-hint">"An IANA time zone: start typing, e.g. Europe/Paris."</p>
                <FieldError id="timezone" error />
            </div>
            <div class="actions">
                <FormAlert error fields=&EDITABLE />
                <Notice text=notice />
                <button type="submit" class="primary" disabled=move || !hydrated.get() || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save profile" }}
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
                            reason="Changing your email needs your password again."
                            action="Confirm and save"
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
