//! `/admin/mail-templates`: the mail templates, edited with a live preview rendered by the
//! server from example values. A template that does not render is refused on save with the
//! part named.

use crate::api::ApiError;
use crate::api::admin::{
    delete_mail_template, mail_templates, preview_mail_template, save_mail_template,
};
use crate::api::json_codec::load;
use crate::api::types::{MailPreview, MailTemplateBody, MailTemplateView};
use crate::components::browser::{input_value, textarea_value, use_hydrated};
use crate::components::errors::{ErrorSignal, FieldError, FormAlert, Notice, general_message};
use crate::components::guard::RequireSignIn;
use crate::i18n::*;
use leptos::html::{Input, Textarea};
use leptos::prelude::*;
use leptos_meta::Title;
use std::time::Duration;

const FIELDS: [&str; 4] = ["name", "subject", "text", "html"];
/// Typing pauses this long before the preview is asked for.
const PREVIEW_DELAY: Duration = Duration::from_millis(300);

#[component]
pub fn AdminMailTemplatesPage() -> impl IntoView {
    let i18n = use_i18n();
    let hydrated = use_hydrated();
    let list = load(|| (), |_| mail_templates());
    // The template being edited; a new one has an empty name.
    let selected = RwSignal::new(None::<MailTemplateView>);
    let new_template = move |_| {
        selected.set(Some(MailTemplateView {
            name: String::new(),
            subject: String::new(),
            text: String::new(),
            html: None,
            shipped: false,
            has_default: false,
            updated_at: None,
            updated_by: None,
        }))
    };
    view! {
        <Title text=move || t_string!(i18n, admin.mail_templates.title) />
        <RequireSignIn admin=true>
            <section class="page mail-templates">
                <h1>{t!(i18n, admin.mail_templates.heading)}</h1>
                <p class="hint">
                    {t!(i18n, admin.mail_templates.variables)}
                    " "
                    <code>"{{ label }} {{ username }} {{ firstname }} {{ lastname }} {{ link }} {{ code }} {{ valid_minutes }} {{ valid_days }}"</code>
                    ". "
                    {t!(i18n, admin.mail_templates.note)}
                </p>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(all) => view! { <TemplateList all selected hydrated /> }.into_any(),
                            Err(e) => view! { <p class="alert" role="alert">{general_message(&e)}</p> }.into_any(),
                        }
                    })}
                </Transition>
                <button type="button" class="secondary" on:click=new_template disabled=move || !hydrated.get()>{t!(i18n, admin.mail_templates.new_template)}</button>
                // A fresh editor for each choice: its inputs start from that template.
                {move || {
                    selected
                        .get()
                        .map(|t| view! { <Editor template=t on_change=move || list.refetch() /> })
                }}
            </section>
        </RequireSignIn>
    }
}

#[component]
fn TemplateList(
    all: Vec<MailTemplateView>,
    selected: RwSignal<Option<MailTemplateView>>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="template-list">
            {all
                .into_iter()
                .map(|t| {
                    let name = t.name.clone();
                    let shipped = t.shipped;
                    let state = move || {
                        if shipped {
                            t_string!(i18n, admin.mail_templates.badge_default)
                        } else {
                            t_string!(i18n, admin.mail_templates.badge_edited)
                        }
                    };
                    let current = {
                        let name = name.clone();
                        move || selected.with(|s| s.as_ref().is_some_and(|s| s.name == name))
                    };
                    view! {
                        <li>
                            <button
                                type="button"
                                class="link"
                                disabled=move || !hydrated.get()
                                aria-current=move || current().then_some("true")
                                on:click=move |_| selected.set(Some(t.clone()))
                            >
                                {name}
                            </button>
                            " "
                            <span class="badge">{state}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn Editor(
    template: MailTemplateView,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let hydrated = use_hydrated();
    let is_new = template.name.is_empty();
    let (name, subject) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let (text, html) = (NodeRef::<Textarea>::new(), NodeRef::<Textarea>::new());
    let error: ErrorSignal = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(None::<&'static str>);
    let preview = RwSignal::new(None::<Result<MailPreview, ApiError>>);
    let restorable = RwSignal::new(!template.shipped && template.has_default);
    let deletable = RwSignal::new(!template.shipped && !template.has_default && !is_new);

    let body = move || MailTemplateBody {
        subject: input_value(subject),
        text: textarea_value(text),
        html: Some(textarea_value(html)).filter(|h| !h.trim().is_empty()),
    };
    let render = Action::new(move |b: &MailTemplateBody| {
        let b = b.clone();
        async move { preview.set(Some(preview_mail_template(b).await)) }
    });
    // Each edit restarts the wait; only the last edit of a pause asks for a preview.
    let edits = StoredValue::new(0_u64);
    let on_edit = move |_| {
        saved.set(None);
        let mine = edits.get_value() + 1;
        edits.set_value(mine);
        set_timeout(
            move || {
                if edits.get_value() == mine {
                    render.dispatch(body());
                }
            },
            PREVIEW_DELAY,
        );
    };
    Effect::new(move |_| {
        render.dispatch(body());
    });

    let save = Action::new(move |(n, b): &(String, MailTemplateBody)| {
        let (n, b) = (n.clone(), b.clone());
        async move {
            match save_mail_template(n, b).await {
                Ok(t) => {
                    restorable.set(t.has_default);
                    deletable.set(!t.has_default);
                    saved.set(Some(t_string!(i18n, admin.mail_templates.saved)));
                    on_change();
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let remove = Action::new(move |n: &String| {
        let n = n.clone();
        async move {
            match delete_mail_template(n).await {
                Ok(()) => {
                    saved.set(Some(t_string!(i18n, admin.mail_templates.removed)));
                    restorable.set(false);
                    deletable.set(false);
                    on_change();
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let busy = move || save.pending().get() || remove.pending().get();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        save.dispatch((input_value(name), body()));
    };
    let on_remove = move |_| {
        error.set(None);
        remove.dispatch(input_value(name));
    };

    view! {
        <form class="form editor" method="post" on:submit=on_submit>
            <div class="field">
                <label for="name">{t!(i18n, admin.mail_templates.name)}</label>
                <input
                    id="name"
                    type="text"
                    value=template.name.clone()
                    readonly=!is_new
                    required
                    placeholder="mails.reset_password.portal"
                    node_ref=name
                    aria-describedby="name-error"
                />
                <FieldError id="name" error />
            </div>
            <div class="field">
                <label for="subject">{t!(i18n, admin.mail_templates.subject)}</label>
                <input
                    id="subject"
                    type="text"
                    prop:value=template.subject.clone()
                    required
                    node_ref=subject
                    on:input=on_edit
                    aria-describedby="subject-error"
                />
                <FieldError id="subject" error />
            </div>
            <div class="field">
                <label for="text">{t!(i18n, admin.mail_templates.text_part)}</label>
                <textarea id="text" rows="10" prop:value=template.text.clone() node_ref=text on:input=on_edit aria-describedby="text-error" />
                <FieldError id="text" error />
            </div>
            <div class="field">
                <label for="html">{t!(i18n, admin.mail_templates.html_part)}</label>
                <textarea
                    id="html"
                    rows="10"
                    prop:value=template.html.clone().unwrap_or_default()
                    node_ref=html
                    on:input=on_edit
                    aria-describedby="html-error"
                />
                <FieldError id="html" error />
            </div>
            <FormAlert error fields=&FIELDS />
            <Notice text=saved />
            <div class="actions">
                <button type="submit" class="primary" disabled=move || !hydrated.get() || busy()>
                    {move || {
                        if save.pending().get() {
                            t_string!(i18n, admin.mail_templates.saving)
                        } else {
                            t_string!(i18n, admin.mail_templates.save)
                        }
                    }}
                </button>
                <Show when=move || restorable.get() || deletable.get()>
                    <button type="button" class="secondary" on:click=on_remove disabled=busy>
                        {move || {
                            if restorable.get() {
                                t_string!(i18n, admin.mail_templates.restore)
                            } else {
                                t_string!(i18n, admin.mail_templates.delete)
                            }
                        }}
                    </button>
                </Show>
            </div>
        </form>
        <section class="preview" aria-live="polite">
            <h2>{t!(i18n, admin.mail_templates.preview)}</h2>
            {move || match preview.get() {
                None => view! { <p class="loading">{t!(i18n, admin.mail_templates.rendering)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert">{general_message(&e)}</p> }.into_any(),
                Some(Ok(p)) => {
                    view! {
                        <p>
                            <strong>{t!(i18n, admin.mail_templates.subject_label)} " "</strong>
                            {p.subject}
                        </p>
                        <pre class="mail-text">{p.text}</pre>
                        {p.html.map(|h| view! { <iframe title=move || t_string!(i18n, admin.mail_templates.html_title) sandbox="" srcdoc=h></iframe> })}
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
