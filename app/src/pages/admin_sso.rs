//! `/admin/sso`: the identity providers people sign in with ("Login with <name>" on the login
//! page): OpenID Connect or SAML, the extra rule that can refuse someone the IdP accepted, and
//! the rules that create a user from the claims at the first sign-in. Below them, BroadWorks.

use super::admin_broadworks::BroadWorksForm;
use crate::api::ApiError;
use crate::api::admin_sso::{
    broadworks_settings, delete_sso_provider, save_sso_provider, sso_providers,
};
use crate::api::json_codec::load;
use crate::api::sso_types::{
    CreationRuleBody, OidcBody, SamlBody, SsoProtocol, SsoProviderBody, SsoProviderView,
};
use crate::components::browser::{input_checked, input_value, textarea_value, use_hydrated};
use crate::components::errors::{ErrorSignal, FieldError, FormAlert, Notice, general_message};
use crate::components::fields::{CheckField, TextField, optional};
use crate::components::guard::RequireSignIn;
use crate::i18n::*;
use leptos::html::{Input, Select, Textarea};
use leptos::prelude::*;
use leptos_meta::Title;

/// The fields shown next to their input; errors of the rules show in the form's alert, with
/// the rule's number in the field name.
const FIELDS: [&str; 11] = [
    "id",
    "name",
    "oidc.issuer",
    "oidc.client_id",
    "oidc.client_secret",
    "oidc.scopes",
    "oidc.redirect_uri",
    "saml.idp_metadata_xml",
    "saml.idp_metadata_url",
    "saml.sp_entity_id",
    "extra_rule",
];

fn new_provider() -> SsoProviderView {
    SsoProviderView {
        id: String::new(),
        name: String::new(),
        protocol: SsoProtocol::Oidc,
        enabled: true,
        oidc: None,
        saml: None,
        extra_rule: None,
        user_creation_rules: vec![CreationRuleBody {
            when: "true".into(),
            username: "preferred_username".into(),
            firstname: Some("given_name".into()),
            lastname: Some("family_name".into()),
            email: Some("email".into()),
            language: Some("locale".into()),
            profile: None,
            roles: Vec::new(),
        }],
        updated_at: String::new(),
    }
}

#[component]
pub fn AdminSsoPage() -> impl IntoView {
    let i18n = use_i18n();
    let hydrated = use_hydrated();
    let list = load(|| (), |_| sso_providers());
    let broadworks = load(|| (), |_| broadworks_settings());
    // The provider being edited; a new one has an empty id.
    let selected = RwSignal::new(None::<SsoProviderView>);
    // Here, not in the editor: saving draws a new editor from what the server kept.
    let notice = RwSignal::new(None::<&'static str>);
    view! {
        <Title text=move || t_string!(i18n, admin.sso.title) />
        <RequireSignIn admin=true>
            <section class="page page-wide">
                <h1>{t!(i18n, admin.sso.heading)}</h1>
                <p class="hint">{t!(i18n, admin.sso.intro)}</p>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(all) => view! { <ProviderList all selected notice hydrated /> }.into_any(),
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Transition>
                <button
                    type="button"
                    class="secondary"
                    disabled=move || !hydrated.get()
                    on:click=move |_| {
                        notice.set(None);
                        selected.set(Some(new_provider()));
                    }
                >
                    {t!(i18n, admin.sso.new_provider)}
                </button>
                // A fresh editor for each choice: its inputs start from that provider.
                {move || {
                    selected.get().map(|p| {
                        view! {
                            <Editor
                                provider=p
                                notice
                                on_saved=move |p| {
                                    selected.set(Some(p));
                                    list.refetch();
                                }
                                on_deleted=move || {
                                    selected.set(None);
                                    list.refetch();
                                }
                            />
                        }
                    })
                }}
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match broadworks.await {
                            Ok(settings) => view! { <BroadWorksForm settings hydrated /> }.into_any(),
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </RequireSignIn>
    }
}

#[component]
fn ProviderList(
    all: Vec<SsoProviderView>,
    selected: RwSignal<Option<SsoProviderView>>,
    notice: RwSignal<Option<&'static str>>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    if all.is_empty() {
        return view! { <p>{t!(i18n, admin.sso.none)}</p> }.into_any();
    }
    view! {
        <table class="list">
            <thead>
                <tr>
                    <th>{t!(i18n, admin.sso.name)}</th>
                    <th>{t!(i18n, admin.sso.id)}</th>
                    <th>{t!(i18n, admin.sso.protocol)}</th>
                    <th>{t!(i18n, admin.sso.state)}</th>
                    <th></th>
                </tr>
            </thead>
            <tbody>
                {all
                    .into_iter()
                    .map(|p| {
                        let enabled = p.enabled;
                        let protocol = match p.protocol {
                            SsoProtocol::Oidc => "OpenID Connect",
                            SsoProtocol::Saml => "SAML",
                        };
                        view! {
                            <tr>
                                <td>{p.name.clone()}</td>
                                <td><code>{p.id.clone()}</code></td>
                                <td>{protocol}</td>
                                <td>
                                    {move || {
                                        if enabled {
                                            t_string!(i18n, admin.sso.enabled_badge)
                                        } else {
                                            t_string!(i18n, admin.sso.disabled_badge)
                                        }
                                    }}
                                </td>
                                <td>
                                    <button
                                        type="button"
                                        class="link"
                                        disabled=move || !hydrated.get()
                                        on:click=move |_| {
                                            notice.set(None);
                                            selected.set(Some(p.clone()));
                                        }
                                    >
                                        {t!(i18n, admin.sso.edit)}
                                    </button>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// One user-creation rule, its inputs bound (rules come and go as the admin edits).
#[derive(Clone, Copy)]
struct RuleInputs {
    key: u64,
    when: RwSignal<String>,
    username: RwSignal<String>,
    firstname: RwSignal<String>,
    lastname: RwSignal<String>,
    email: RwSignal<String>,
    language: RwSignal<String>,
    profile: RwSignal<String>,
    roles: RwSignal<String>,
}

impl RuleInputs {
    fn new(key: u64, r: &CreationRuleBody) -> Self {
        let text = |v: &Option<String>| RwSignal::new(v.clone().unwrap_or_default());
        RuleInputs {
            key,
            when: RwSignal::new(r.when.clone()),
            username: RwSignal::new(r.username.clone()),
            firstname: text(&r.firstname),
            lastname: text(&r.lastname),
            email: text(&r.email),
            language: text(&r.language),
            profile: text(&r.profile),
            roles: RwSignal::new(r.roles.join(", ")),
        }
    }

    fn read(&self) -> CreationRuleBody {
        let get = |s: RwSignal<String>| optional(&s.get_untracked());
        CreationRuleBody {
            when: self.when.get_untracked().trim().to_string(),
            username: self.username.get_untracked().trim().to_string(),
            firstname: get(self.firstname),
            lastname: get(self.lastname),
            email: get(self.email),
            language: get(self.language),
            profile: get(self.profile),
            roles: self
                .roles
                .get_untracked()
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }
}

/// The inputs of the form, read on submit.
#[derive(Clone, Copy, Default)]
struct Inputs {
    id: NodeRef<Input>,
    name: NodeRef<Input>,
    protocol: NodeRef<Select>,
    enabled: NodeRef<Input>,
    issuer: NodeRef<Input>,
    client_id: NodeRef<Input>,
    client_secret: NodeRef<Input>,
    scopes: NodeRef<Input>,
    redirect_uri: NodeRef<Input>,
    userinfo: NodeRef<Input>,
    metadata_xml: NodeRef<Textarea>,
    metadata_url: NodeRef<Input>,
    sp_entity_id: NodeRef<Input>,
    extra_rule: NodeRef<Input>,
}

impl Inputs {
    fn read(&self, protocol: SsoProtocol, rules: &[RuleInputs]) -> SsoProviderBody {
        let oidc = (protocol == SsoProtocol::Oidc).then(|| OidcBody {
            issuer: input_value(self.issuer).trim().to_string(),
            client_id: input_value(self.client_id).trim().to_string(),
            // Empty keeps the stored secret (it is never shown).
            client_secret: Some(input_value(self.client_secret)).filter(|s| !s.is_empty()),
            scopes: input_value(self.scopes)
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            redirect_uri: optional(&input_value(self.redirect_uri)),
            userinfo: input_checked(self.userinfo),
        });
        let saml = (protocol == SsoProtocol::Saml).then(|| SamlBody {
            idp_metadata_xml: optional(&textarea_value(self.metadata_xml)),
            idp_metadata_url: optional(&input_value(self.metadata_url)),
            sp_entity_id: optional(&input_value(self.sp_entity_id)),
        });
        SsoProviderBody {
            name: input_value(self.name).trim().to_string(),
            protocol,
            enabled: input_checked(self.enabled),
            oidc,
            saml,
            extra_rule: optional(&input_value(self.extra_rule)),
            user_creation_rules: rules.iter().map(RuleInputs::read).collect(),
        }
    }
}

#[component]
fn Editor(
    provider: SsoProviderView,
    notice: RwSignal<Option<&'static str>>,
    on_saved: impl Fn(SsoProviderView) + Copy + Send + Sync + 'static,
    on_deleted: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let hydrated = use_hydrated();
    let is_new = provider.id.is_empty();
    let inputs = Inputs::default();
    let error: ErrorSignal = RwSignal::new(None::<ApiError>);
    let protocol = RwSignal::new(provider.protocol);
    let next_key = StoredValue::new(provider.user_creation_rules.len() as u64);
    let rules = RwSignal::new(
        provider
            .user_creation_rules
            .iter()
            .enumerate()
            .map(|(i, r)| RuleInputs::new(i as u64, r))
            .collect::<Vec<_>>(),
    );
    let add_rule = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        let rule = RuleInputs::new(
            key,
            &CreationRuleBody {
                when: "true".into(),
                ..Default::default()
            },
        );
        rules.update(|r| r.push(rule));
    };

    let save = Action::new(move |(id, body): &(String, SsoProviderBody)| {
        let (id, body) = (id.clone(), body.clone());
        async move {
            match save_sso_provider(id, body).await {
                Ok(saved) => {
                    notice.set(Some(t_string!(i18n, admin.sso.saved)));
                    on_saved(saved);
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let remove = Action::new(move |id: &String| {
        let id = id.clone();
        async move {
            match delete_sso_provider(id).await {
                Ok(()) => on_deleted(),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let busy = move || !hydrated.get() || save.pending().get() || remove.pending().get();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        let body = rules.with_untracked(|r| inputs.read(protocol.get_untracked(), r));
        save.dispatch((input_value(inputs.id).trim().to_string(), body));
    };
    let on_protocol = move |_| {
        let chosen = inputs.protocol.get_untracked().map(|s| s.value());
        protocol.set(if chosen.as_deref() == Some("saml") {
            SsoProtocol::Saml
        } else {
            SsoProtocol::Oidc
        });
    };

    let oidc = provider.oidc.clone();
    let secret_set = oidc.as_ref().is_some_and(|o| o.client_secret_set);
    let saml = provider.saml.clone().unwrap_or_default();
    let callback_path = format!("/api/v01/auth/sso/{}/callback", provider.id);
    let metadata_path = format!("/api/v01/auth/sso/{}/metadata", provider.id);
    view! {
        <form class="form editor" method="post" novalidate on:submit=on_submit>
            <h2>
                {if is_new {
                    t!(i18n, admin.sso.new_heading).into_any()
                } else {
                    view! { {provider.name.clone()} }.into_any()
                }}
            </h2>
            <div class="field">
                <label for="id">{t!(i18n, admin.sso.id)}</label>
                <input
                    id="id"
                    type="text"
                    value=provider.id.clone()
                    readonly=!is_new
                    required
                    placeholder="corp"
                    spellcheck="false"
                    node_ref=inputs.id
                    aria-describedby="id-hint id-error"
                />
                <p class="hint" id="id-hint">{t!(i18n, admin.sso.id_hint)}</p>
                <FieldError id="id" error />
            </div>
            <TextField id="name" label=move || t_string!(i18n, admin.sso.name) node_ref=inputs.name error value=provider.name.clone() hint=move || t_string!(i18n, admin.sso.name_hint) required=true />
            <div class="field">
                <label for="protocol">{t!(i18n, admin.sso.protocol)}</label>
                <select id="protocol" node_ref=inputs.protocol on:change=on_protocol>
                    <option value="oidc" selected=provider.protocol == SsoProtocol::Oidc>"OpenID Connect"</option>
                    <option value="saml" selected=provider.protocol == SsoProtocol::Saml>"SAML 2.0"</option>
                </select>
            </div>
            <CheckField id="enabled" label=move || t_string!(i18n, admin.sso.enabled) node_ref=inputs.enabled error checked=provider.enabled />
            <fieldset class:hidden=move || protocol.get() != SsoProtocol::Oidc>
                <legend>"OpenID Connect"</legend>
                <TextField id="oidc.issuer" label=move || t_string!(i18n, admin.sso.issuer) node_ref=inputs.issuer error value=oidc.as_ref().map(|o| o.issuer.clone()).unwrap_or_default() kind="url" hint=move || t_string!(i18n, admin.sso.issuer_hint) />
                <TextField id="oidc.client_id" label=move || t_string!(i18n, admin.sso.client_id) node_ref=inputs.client_id error value=oidc.as_ref().map(|o| o.client_id.clone()).unwrap_or_default() />
                <TextField
                    id="oidc.client_secret"
                    label=move || t_string!(i18n, admin.sso.client_secret)
                    node_ref=inputs.client_secret
                    error
                    kind="password"
                    autocomplete="new-password"
                    hint=move || {
                        if secret_set {
                            t_string!(i18n, admin.sso.client_secret_kept)
                        } else {
                            t_string!(i18n, admin.sso.client_secret_none)
                        }
                    }
                />
                <TextField id="oidc.scopes" label=move || t_string!(i18n, admin.sso.scopes) node_ref=inputs.scopes error value=oidc.as_ref().map_or_else(|| "openid email profile".to_string(), |o| o.scopes.join(" ")) />
                <TextField id="oidc.redirect_uri" label=move || t_string!(i18n, admin.sso.redirect_uri) node_ref=inputs.redirect_uri error value=oidc.as_ref().and_then(|o| o.redirect_uri.clone()).unwrap_or_default() kind="url" hint=move || language_fill(t_string!(i18n, admin.sso.redirect_uri_hint), &callback_path) />
                <CheckField id="oidc.userinfo" label=move || t_string!(i18n, admin.sso.userinfo) node_ref=inputs.userinfo error checked=oidc.as_ref().is_some_and(|o| o.userinfo) />
            </fieldset>
            <fieldset class:hidden=move || protocol.get() != SsoProtocol::Saml>
                <legend>"SAML 2.0"</legend>
                <p class="hint">{move || language_fill(t_string!(i18n, admin.sso.sp_metadata_hint), &metadata_path)}</p>
                <div class="field">
                    <label for="saml.idp_metadata_xml">{t!(i18n, admin.sso.metadata_xml)}</label>
                    <textarea id="saml.idp_metadata_xml" rows="6" spellcheck="false" node_ref=inputs.metadata_xml aria-describedby="saml.idp_metadata_xml-error">
                        {saml.idp_metadata_xml.clone().unwrap_or_default()}
                    </textarea>
                    <FieldError id="saml.idp_metadata_xml" error />
                </div>
                <TextField id="saml.idp_metadata_url" label=move || t_string!(i18n, admin.sso.metadata_url) node_ref=inputs.metadata_url error value=saml.idp_metadata_url.clone().unwrap_or_default() kind="url" hint=move || t_string!(i18n, admin.sso.metadata_hint) />
                <TextField id="saml.sp_entity_id" label=move || t_string!(i18n, admin.sso.sp_entity_id) node_ref=inputs.sp_entity_id error value=saml.sp_entity_id.clone().unwrap_or_default() />
            </fieldset>
            <TextField id="extra_rule" label=move || t_string!(i18n, admin.sso.extra_rule) node_ref=inputs.extra_rule error value=provider.extra_rule.clone().unwrap_or_default() hint=move || t_string!(i18n, admin.sso.extra_rule_hint) />
            <fieldset>
                <legend>{t!(i18n, admin.sso.rules)}</legend>
                <p class="hint">{t!(i18n, admin.sso.rules_hint)}</p>
                <For each=move || rules.get() key=|r| r.key let:rule>
                    <RuleEditor rule on_remove=move || rules.update(|all| all.retain(|r| r.key != rule.key)) />
                </For>
                <button type="button" class="secondary" on:click=add_rule>{t!(i18n, admin.sso.add_rule)}</button>
            </fieldset>
            <FormAlert error fields=&FIELDS />
            <Notice text=notice />
            <div class="actions">
                <button type="submit" class="primary" disabled=busy>
                    {move || {
                        if save.pending().get() {
                            t_string!(i18n, admin.sso.saving)
                        } else {
                            t_string!(i18n, admin.sso.save)
                        }
                    }}
                </button>
                {(!is_new).then(|| {
                    let id = provider.id.clone();
                    view! {
                        <button type="button" class="secondary danger" disabled=busy on:click=move |_| {
                            error.set(None);
                            remove.dispatch(id.clone());
                        }>
                            {t!(i18n, admin.sso.delete)}
                        </button>
                    }
                })}
            </div>
        </form>
    }
}

fn language_fill(text: &str, path: &str) -> String {
    crate::components::language::fill(text, &[("path", path)])
}

#[component]
fn RuleEditor(
    rule: RuleInputs,
    on_remove: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    // Each input of a rule: its label, and the signal it edits.
    let input =
        move |name: &str, label: TextProp, value: RwSignal<String>, placeholder: &'static str| {
            let id = format!("rule-{}-{name}", rule.key);
            view! {
                <div class="field">
                    <label for=id.clone()>{move || label.get()}</label>
                    <input
                        id=id
                        type="text"
                        spellcheck="false"
                        placeholder=placeholder
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))
                    />
                </div>
            }
        };
    view! {
        <div class="rule form grid">
            {input("when", (move || t_string!(i18n, admin.sso.rule_when)).into(), rule.when, "true")}
            {input("username", (move || t_string!(i18n, admin.sso.rule_username)).into(), rule.username, "preferred_username")}
            {input("firstname", (move || t_string!(i18n, admin.sso.rule_firstname)).into(), rule.firstname, "given_name")}
            {input("lastname", (move || t_string!(i18n, admin.sso.rule_lastname)).into(), rule.lastname, "family_name")}
            {input("email", (move || t_string!(i18n, admin.sso.rule_email)).into(), rule.email, "email")}
            {input("language", (move || t_string!(i18n, admin.sso.rule_language)).into(), rule.language, "locale")}
            {input("profile", (move || t_string!(i18n, admin.sso.rule_profile)).into(), rule.profile, "")}
            {input("roles", (move || t_string!(i18n, admin.sso.rule_roles)).into(), rule.roles, "operator, admin")}
            <div class="actions">
                <button type="button" class="secondary" on:click=move |_| on_remove()>
                    {t!(i18n, admin.sso.remove_rule)}
                </button>
            </div>
        </div>
    }
}
