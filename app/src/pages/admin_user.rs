//! `/admin/users/{username}`: one user as admins manage it: every editable field, unlock, end
//! the sessions, the M2M token, delete, and the last 15 sign-in attempts with their reasons.

use crate::api::ApiError;
use crate::api::admin_users::{
    delete_user, delete_user_m2m_token, end_user_sessions, get_user, set_user_m2m_token,
    unlock_user, update_user, user_login_attempts,
};
use crate::api::json_codec::{Loaded, load};
use crate::api::security_types::LoginAttemptView;
use crate::api::types::{Profile, UserPatch};
use crate::components::browser::{full_navigation, input_checked, input_value, textarea_value};
use crate::components::errors::{ErrorSignal, FormAlert, Notice, general_message};
use crate::components::fields::{CheckField, TextField, when};
use crate::components::guard::RequireSignIn;
use crate::components::reauth::change_sender;
use crate::i18n::*;
use crate::pages::LoginAttemptsTable;
use leptos::html::{Input, Textarea};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AdminUserPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let username = move || params.with(|p| p.get("username").unwrap_or_default());
    let version = RwSignal::new(0u32);
    let user = load(move || (username(), version.get()), |(u, _)| get_user(u));
    // Created here, not in the part that renders once the user is loaded: a resource created
    // there on the server would not be the one the browser hydrates.
    let attempts = load(
        move || (username(), version.get()),
        |(u, _)| user_login_attempts(u),
    );
    // Outside the reloaded part, so that what a change reports outlives the reload it causes.
    let error: ErrorSignal = RwSignal::new(None);
    let notice = RwSignal::new(None::<&'static str>);
    view! {
        <Title text=move || t_string!(i18n, admin.user.title) />
        <RequireSignIn admin=true module="admin_users">
            <section class="page">
                <p><a href="/admin/users">{t!(i18n, admin.user.all_users)}</a></p>
                <Notice text=notice />
                <FormAlert error fields=&FIELDS />
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match user.await {
                            Ok(u) => view! { <UserAdmin user=u version error notice attempts /> }.into_any(),
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </RequireSignIn>
    }
}

#[derive(Clone, Debug)]
enum Change {
    Save(Box<UserPatch>),
    Unlock,
    EndSessions,
    NewToken(Option<String>),
    RemoveToken,
    Delete,
}

#[component]
fn UserAdmin(
    user: Profile,
    version: RwSignal<u32>,
    error: ErrorSignal,
    notice: RwSignal<Option<&'static str>>,
    attempts: Loaded<Result<Vec<LoginAttemptView>, ApiError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = user.username.clone();
    let token = RwSignal::new(None::<String>);
    let confirm_delete = RwSignal::new(false);
    let target = StoredValue::new(name.clone());
    let change = Action::new(move |c: &Change| {
        let (c, name) = (c.clone(), target.get_value());
        async move {
            let done = match c {
                Change::Save(patch) => update_user(name, *patch)
                    .await
                    .map(|_| t_string!(i18n, admin.user.saved)),
                Change::Unlock => unlock_user(name)
                    .await
                    .map(|()| t_string!(i18n, admin.user.unlocked)),
                Change::EndSessions => end_user_sessions(name)
                    .await
                    .map(|()| t_string!(i18n, admin.user.sessions_ended)),
                Change::NewToken(date) => {
                    let at = date.map(|d| format!("{d}T23:59:59Z"));
                    set_user_m2m_token(name, at).await.map(|t| {
                        token.set(t.token);
                        t_string!(i18n, admin.user.token_generated)
                    })
                }
                Change::RemoveToken => delete_user_m2m_token(name)
                    .await
                    .map(|()| t_string!(i18n, admin.user.token_removed)),
                Change::Delete => match delete_user(name).await {
                    Ok(()) => return full_navigation("/admin/users"),
                    Err(e) => Err(e),
                },
            };
            match done {
                Ok(text) => {
                    notice.set(Some(text));
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let (run, busy) = change_sender(change, error, notice);
    let expiry = NodeRef::<Input>::new();
    let locked = user.locked_until.clone();
    let m2m = user.m2m_token.clone();
    let shown = m2m.token.clone();
    view! {
        <h1>{name.clone()}</h1>
        <UserForm user=user.clone() error busy on_save=Callback::new(move |p| run(Change::Save(Box::new(p)))) />

        <h2>{t!(i18n, admin.user.access)}</h2>
        <div class="actions">
            {locked.map(|until| {
                let until = when(&until);
                view! {
                <p>{t!(i18n, admin.user.locked_until, until = move || until.clone())}</p>
                <button type="button" class="secondary" disabled=move || busy.get() on:click=move |_| run(Change::Unlock)>{t!(i18n, admin.user.unlock)}</button>
            }})}
            <button type="button" class="secondary danger" disabled=move || busy.get() on:click=move |_| run(Change::EndSessions)>{t!(i18n, admin.user.end_sessions)}</button>
        </div>

        <h2>{t!(i18n, admin.user.m2m_token)}</h2>
        <p id="admin-m2m-status">
            {match (m2m.set, m2m.expires_at.clone()) {
                (false, _) => t!(i18n, admin.user.no_token).into_any(),
                (true, None) => t!(i18n, admin.user.token_no_expiry).into_any(),
                (true, Some(at)) => {
                    let at = when(&at);
                    t!(i18n, admin.user.token_expires, at = move || at.clone()).into_any()
                }
            }}
        </p>
        {move || token.get().or(shown.clone()).map(|t| view! {
            <div class="field token">
                <label for="admin-m2m-token">{t!(i18n, admin.user.token_label)}</label>
                <input id="admin-m2m-token" type="text" readonly value=t autocomplete="off" spellcheck="false" />
            </div>
        })}
        <form class="form inline" method="post" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            run(Change::NewToken(Some(input_value(expiry)).filter(|d| !d.is_empty())));
        }>
            <div class="field">
                <label for="admin-m2m-expiry">{t!(i18n, admin.user.expires_on)}</label>
                <input id="admin-m2m-expiry" type="date" node_ref=expiry />
            </div>
            <button type="submit" class="secondary" disabled=move || busy.get()>{t!(i18n, admin.user.regenerate)}</button>
            {m2m.set.then(|| view! {
                <button type="button" class="secondary danger" disabled=move || busy.get() on:click=move |_| run(Change::RemoveToken)>{t!(i18n, admin.user.remove_token)}</button>
            })}
        </form>

        <h2>{t!(i18n, admin.user.attempts)}</h2>
        <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match attempts.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, admin.user.no_attempts)}</p> }.into_any(),
                    Ok(list) => view! { <LoginAttemptsTable list reasons=true /> }.into_any(),
                    Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                }
            })}
        </Transition>

        <h2>{t!(i18n, admin.user.delete)}</h2>
        {move || if confirm_delete.get() {
            view! {
                <p>{t!(i18n, admin.user.delete_confirm, name = move || target.get_value())}</p>
                <div class="actions">
                    <button type="button" class="primary danger" disabled=move || busy.get() on:click=move |_| run(Change::Delete)>{t!(i18n, admin.user.delete_for_good)}</button>
                    <button type="button" class="secondary" on:click=move |_| confirm_delete.set(false)>{t!(i18n, admin.user.cancel)}</button>
                </div>
            }.into_any()
        } else {
            view! {
                <button type="button" class="secondary danger" disabled=move || busy.get() on:click=move |_| confirm_delete.set(true)>{t!(i18n, admin.user.delete_user)}</button>
            }.into_any()
        }}
    }
}

/// The fields of the edit form, named as the server names them in its errors.
const FIELDS: [&str; 12] = [
    "firstname",
    "lastname",
    "mobile",
    "email",
    "language",
    "timezone",
    "roles",
    "profile",
    "ui_profile",
    "properties",
    "system",
    "disabled",
];

#[component]
fn UserForm(
    user: Profile,
    error: ErrorSignal,
    busy: Memo<bool>,
    on_save: Callback<UserPatch>,
) -> impl IntoView {
    let i18n = use_i18n();
    let texts: [NodeRef<Input>; 9] = Default::default();
    let [
        firstname,
        lastname,
        mobile,
        email,
        language,
        timezone,
        roles,
        profile,
        ui_profile,
    ] = texts;
    let checks: [NodeRef<Input>; 4] = Default::default();
    let [system, disabled, force_change, forced_email] = checks;
    let properties = NodeRef::<Textarea>::new();
    let props_text = serde_json::to_string_pretty(&user.properties).unwrap_or_else(|_| "{}".into());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let props = match serde_json::from_str::<serde_json::Value>(&textarea_value(properties)) {
            Ok(v) => v,
            Err(e) => {
                return error.set(Some(ApiError::invalid_request(
                    "properties",
                    format!("properties: {} ({e})", t_string!(i18n, admin.user.not_json)),
                )));
            }
        };
        let roles = input_value(roles)
            .split(',')
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect();
        on_save.run(UserPatch {
            firstname: Some(input_value(firstname)),
            lastname: Some(input_value(lastname)),
            mobile: Some(input_value(mobile)),
            email: Some(input_value(email)),
            language: Some(input_value(language)),
            timezone: Some(input_value(timezone)),
            roles: Some(roles),
            profile: Some(input_value(profile)),
            ui_profile: Some(input_value(ui_profile)),
            properties: Some(props),
            system: Some(input_checked(system)),
            disabled: Some(input_checked(disabled)),
            force_change_password: Some(input_checked(force_change)),
            two_factor_forced_email: Some(input_checked(forced_email)),
        });
    };
    view! {
        <form class="form grid" method="post" novalidate on:submit=on_submit>
            <TextField id="firstname" label=move || t_string!(i18n, admin.user.first_name) value=user.firstname node_ref=firstname error />
            <TextField id="lastname" label=move || t_string!(i18n, admin.user.last_name) value=user.lastname node_ref=lastname error />
            <TextField id="mobile" label=move || t_string!(i18n, admin.user.mobile) kind="tel" value=user.mobile.unwrap_or_default() node_ref=mobile error />
            <TextField id="email" label=move || t_string!(i18n, admin.user.email) kind="email" value=user.email.unwrap_or_default() node_ref=email error />
            <TextField id="language" label=move || t_string!(i18n, admin.user.language) value=user.language node_ref=language error />
            <TextField id="timezone" label=move || t_string!(i18n, admin.user.timezone) value=user.timezone node_ref=timezone error />
            <TextField id="roles" label=move || t_string!(i18n, admin.user.roles) value=user.roles.join(", ") node_ref=roles error hint=move || t_string!(i18n, admin.user.roles_hint) />
            <TextField id="profile" label=move || t_string!(i18n, admin.user.profile) value=user.profile.unwrap_or_default() node_ref=profile error />
            <TextField id="ui_profile" label=move || t_string!(i18n, admin.user.ui_profile) value=user.ui_profile.unwrap_or_default() node_ref=ui_profile error />
            <div class="field">
                <label for="properties">{t!(i18n, admin.user.properties)}</label>
                <textarea id="properties" name="properties" rows="4" spellcheck="false" node_ref=properties>{props_text}</textarea>
            </div>
            <CheckField id="system" label=move || t_string!(i18n, admin.user.system) node_ref=system error checked=user.system />
            <CheckField id="disabled" label=move || t_string!(i18n, admin.user.disabled) node_ref=disabled error checked=user.disabled == Some(true) />
            <CheckField id="force_change_password" label=move || t_string!(i18n, admin.user.force_change_password) node_ref=force_change error checked=user.force_change_password />
            <CheckField id="two_factor_forced_email" label=move || t_string!(i18n, admin.user.forced_email) node_ref=forced_email error checked=user.two_factor_forced_email == Some(true) />
            <div class="actions">
                <button type="submit" class="primary" disabled=move || busy.get()>{t!(i18n, admin.user.save)}</button>
            </div>
        </form>
    }
}
