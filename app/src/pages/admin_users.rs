//! `/admin/users`: the users, searched and paged (50 a page), and the form that creates one
//! (with a password, or without: the user then gets the welcome mail's set-password link).

use crate::api::ApiError;
use crate::api::admin_users::{create_user, list_users};
use crate::api::types::{Profile, UserCreate};
use crate::components::browser::{clear_inputs, input_checked, input_value, use_hydrated};
use crate::components::errors::{FormAlert, general_message};
use crate::components::fields::{CheckField, TextField, optional};
use crate::components::guard::RequireSignIn;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_meta::Title;

const PAGE_SIZE: i64 = 50;

/// What the status column says of a user.
fn status(u: &Profile) -> &'static str {
    if u.disabled == Some(true) {
        "Disabled"
    } else if u.locked_until.is_some() {
        "Locked"
    } else if u.force_change_password {
        "Must change password"
    } else {
        "Active"
    }
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    // (search, page); a new search starts at page 1.
    let query = RwSignal::new((String::new(), 1u32));
    let version = RwSignal::new(0u32);
    let list = Resource::new(
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
        <Title text="Users" />
        <RequireSignIn admin=true module="admin_users">
            <section class="page">
                <h1>"Users"</h1>
                <form class="form inline" role="search" method="get" on:submit=on_search>
                    <div class="field">
                        <label for="user-search">"Search"</label>
                        <input id="user-search" name="q" type="search" node_ref=search placeholder="Username, name or email" />
                    </div>
                    <button type="submit" class="secondary" disabled=move || !hydrated.get()>"Search"</button>
                </form>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(found) if found.users.is_empty() => view! { <p class="empty">"No user matches."</p> }.into_any(),
                            Ok(found) => {
                                let page = query.with_untracked(|q| q.1);
                                let pages = ((found.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1) as u32;
                                view! {
                                    <table class="users">
                                        <thead>
                                            <tr><th scope="col">"Username"</th><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Roles"</th><th scope="col">"Status"</th></tr>
                                        </thead>
                                        <tbody>
                                            {found.users.into_iter().map(|u| view! {
                                                <tr>
                                                    <td><a href=format!("/admin/users/{}", u.username)>{u.username.clone()}</a></td>
                                                    <td>{format!("{} {}", u.firstname, u.lastname).trim().to_string()}</td>
                                                    <td>{u.email.clone().unwrap_or_default()}</td>
                                                    <td>{u.roles.join(", ")}</td>
                                                    <td>{status(&u)}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    <nav class="pager" aria-label="Pages">
                                        <button type="button" class="secondary" disabled=move || page <= 1 || !hydrated.get() on:click=move |_| query.update(|q| q.1 -= 1)>"Previous"</button>
                                        <span>{format!("Page {page} of {pages} · {} users", found.total)}</span>
                                        <button type="button" class="secondary" disabled=move || page >= pages || !hydrated.get() on:click=move |_| query.update(|q| q.1 += 1)>"Next"</button>
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
            <h2>"New user"</h2>
            <TextField id="new-username" label="Username" node_ref=username error required=true />
            <TextField id="new-firstname" label="First name" node_ref=firstname error />
            <TextField id="new-lastname" label="Last name" node_ref=lastname error />
            <TextField id="new-email" label="Email" kind="email" node_ref=email error hint="Without a password, the welcome mail with a set-password link goes here." />
            <TextField id="new-password" label="Password (optional)" kind="password" autocomplete="new-password" node_ref=password error />
            <CheckField id="new-admin" label="Administrator" node_ref=admin error checked=false />
            <CheckField id="new-system" label="Stands for another system" node_ref=system error checked=false hint="Admins may see its M2M token." />
            <div class="actions">
                <FormAlert error fields=&[] />
                {move || created.get().map(|(name, with_password)| view! {
                    <p class="notice" role="status">
                        {format!("User {name} created. ")}
                        {(!with_password).then_some("The welcome mail with a set-password link is on its way. ")}
                        <a href=format!("/admin/users/{name}")>"Open"</a>
                    </p>
                })}
                <button type="submit" class="primary" disabled=move || create.pending().get() || !hydrated.get()>"Create user"</button>
            </div>
        </form>
    }
}
