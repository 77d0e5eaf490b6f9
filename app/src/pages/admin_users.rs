//! `/admin/users`: the users, searched and paged (50 a page), and the form that creates one
//! (with a password, or without: the user then gets the welcome mail's set-password link).

use crate::api::ApiError;
use crate::api::admin_users::{create_user, list_users};
use crate::api::json_codec::load;
use crate::api::types::{Profile, UserCreate};
use crate::components::browser::{clear_inputs, input_checked, input_value, use_hydrated};
use crate::components::errors::{FormAlert, general_message};
use crate::components::fields::{CheckField, TextField, optional};
use crate::components::guard::RequireSignIn;
use crate::i18n::*;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;

const PAGE_SIZE: i64 = 50;

/// What the status column says of a user.
fn status(l: Locale, u: &Profile) -> &'static str {
    if u.disabled == Some(true) {
        td_string!(l, admin.users.status_disabled)
    } else if u.locked_until.is_some() {
        td_string!(l, admin.users.status_locked)
    } else if u.force_change_password {
        td_string!(l, admin.users.status_must_change)
    } else {
        td_string!(l, admin.users.status_active)
    }
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let i18n = use_i18n();
    // (search, page); a new search starts at page 1.
    let query = RwSignal::new((String::new(), 1u32));
    let version = RwSignal::new(0u32);
    let list = load(
        move || (query.get(), version.get()),
        |((q, page), _)| list_users(q, page),
    );
    let search = NodeRef::<Input>::new();
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        query.set((input_value(search), 1));
    };
    let hydrated = use_hydrated();
    view! {
        <Title text=move || t_string!(i18n, admin.users.title) />
        <RequireSignIn admin=true module="admin_users">
            <section class="page">
                <h1>{t!(i18n, admin.users.heading)}</h1>
                <form class="form inline" role="search" method="get" on:submit=on_search>
                    <div class="field">
                        <label for="user-search">{t!(i18n, admin.users.search_label)}</label>
                        <input id="user-search" name="q" type="search" node_ref=search placeholder=move || t_string!(i18n, admin.users.search_placeholder) />
                    </div>
                    <button type="submit" class="secondary" disabled=move || !hydrated.get()>{t!(i18n, admin.users.search_button)}</button>
                </form>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(found) if found.users.is_empty() => view! { <p class="empty">{t!(i18n, admin.users.no_match)}</p> }.into_any(),
                            Ok(found) => {
                                let page = query.with_untracked(|q| q.1);
                                let pages = ((found.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1) as u32;
                                view! {
                                    <table class="users">
                                        <thead>
                                            <tr>
                                                <th scope="col">{t!(i18n, admin.users.col_username)}</th>
                                                <th scope="col">{t!(i18n, admin.users.col_name)}</th>
                                                <th scope="col">{t!(i18n, admin.users.col_email)}</th>
                                                <th scope="col">{t!(i18n, admin.users.col_roles)}</th>
                                                <th scope="col">{t!(i18n, admin.users.col_status)}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {found.users.into_iter().map(|u| {
                                                let shown = u.clone();
                                                view! {
                                                    <tr>
                                                        <td><a href=format!("/admin/users/{}", u.username)>{u.username.clone()}</a></td>
                                                        <td>{format!("{} {}", u.firstname, u.lastname).trim().to_string()}</td>
                                                        <td>{u.email.clone().unwrap_or_default()}</td>
                                                        <td>{u.roles.join(", ")}</td>
                                                        <td>{move || status(i18n.get_locale(), &shown)}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    <nav class="pager" aria-label=move || t_string!(i18n, admin.users.pages)>
                                        <button type="button" class="secondary" disabled=move || page <= 1 || !hydrated.get() on:click=move |_| query.update(|q| q.1 -= 1)>{t!(i18n, admin.users.previous)}</button>
                                        <span>{t!(i18n, admin.users.page_of, page = move || page, pages = move || pages, total = move || found.total)}</span>
                                        <button type="button" class="secondary" disabled=move || page >= pages || !hydrated.get() on:click=move |_| query.update(|q| q.1 += 1)>{t!(i18n, admin.users.next)}</button>
                                    </nav>
                                }.into_any()
                            }
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Transition>
                <NewUserForm on_created=Callback::new(move |()| version.update(|v| *v += 1)) />
            </section>
        </RequireSignIn>
    }
}

#[component]
fn NewUserForm(on_created: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let refs: [NodeRef<Input>; 5] = Default::default();
    let [username, firstname, lastname, email, password] = refs;
    let (admin, system) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let error = RwSignal::new(None::<ApiError>);
    let created = RwSignal::new(None::<(String, bool)>);
    let create = Action::new(move |user: &UserCreate| {
        let user = user.clone();
        async move {
            let with_password = user.password.is_some();
            match create_user(user).await {
                Ok(u) => {
                    clear_inputs(&refs);
                    created.set(Some((u.username, with_password)));
                    on_created.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let hydrated = use_hydrated();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        created.set(None);
        create.dispatch(UserCreate {
            username: input_value(username),
            password: optional(&input_value(password)),
            firstname: optional(&input_value(firstname)),
            lastname: optional(&input_value(lastname)),
            email: optional(&input_value(email)),
            roles: Some(if input_checked(admin) {
                vec!["admin".into()]
            } else {
                Vec::new()
            }),
            system: Some(input_checked(system)),
            ..UserCreate::default()
        });
    };
    view! {
        <form class="form grid" method="post" novalidate on:submit=on_submit>
            <h2>{t!(i18n, admin.users.new_user)}</h2>
            <TextField id="new-username" label=move || t_string!(i18n, admin.users.username) node_ref=username error required=true />
            <TextField id="new-firstname" label=move || t_string!(i18n, admin.users.first_name) node_ref=firstname error />
            <TextField id="new-lastname" label=move || t_string!(i18n, admin.users.last_name) node_ref=lastname error />
            <TextField id="new-email" label=move || t_string!(i18n, admin.users.email) kind="email" node_ref=email error hint=move || t_string!(i18n, admin.users.email_hint) />
            <TextField id="new-password" label=move || t_string!(i18n, admin.users.password) kind="password" autocomplete="new-password" node_ref=password error />
            <CheckField id="new-admin" label=move || t_string!(i18n, admin.users.administrator) node_ref=admin error checked=false />
            <CheckField id="new-system" label=move || t_string!(i18n, admin.users.system) node_ref=system error checked=false hint=move || t_string!(i18n, admin.users.system_hint) />
            <div class="actions">
                <FormAlert error fields=&[] />
                {move || created.get().map(|(name, with_password)| view! {
                    <p class="notice" role="status">
                        {
                            let name = name.clone();
                            t!(i18n, admin.users.created, name = move || name.clone())
                        }
                        " "
                        {(!with_password).then(|| view! { {t!(i18n, admin.users.welcome_sent)} " " })}
                        <a href=format!("/admin/users/{name}")>{t!(i18n, admin.users.open)}</a>
                    </p>
                })}
                <button type="submit" class="primary" disabled=move || create.pending().get() || !hydrated.get()>{t!(i18n, admin.users.create)}</button>
            </div>
        </form>
    }
}
