//! Between the SSO provider wire types and the engine's (server only).

use super::sso_types::{
    BroadWorksBody, BroadWorksProxyBody, BroadWorksView, CreationRuleBody, OidcView, SamlBody,
    SsoProtocol, SsoProviderBody, SsoProviderView,
};
use engine::clock::rfc3339;
use engine::sso;

pub fn provider_input(b: SsoProviderBody) -> sso::ProviderInput {
    let client_secret = b.oidc.as_ref().and_then(|o| o.client_secret.clone());
    sso::ProviderInput {
        settings: sso::ProviderSettings {
            name: b.name,
            protocol: match b.protocol {
                SsoProtocol::Oidc => sso::Protocol::Oidc,
                SsoProtocol::Saml => sso::Protocol::Saml,
            },
            enabled: b.enabled,
            oidc: b.oidc.map(|o| sso::OidcSettings {
                issuer: o.issuer,
                client_id: o.client_id,
                scopes: o.scopes,
                redirect_uri: o.redirect_uri,
                userinfo: o.userinfo,
            }),
            saml: b.saml.map(|s| sso::SamlSettings {
                idp_metadata_xml: s.idp_metadata_xml,
                idp_metadata_url: s.idp_metadata_url,
                sp_entity_id: s.sp_entity_id,
            }),
            extra_rule: b.extra_rule,
            user_creation_rules: b
                .user_creation_rules
                .into_iter()
                .map(|r| sso::CreationRule {
                    when: r.when,
                    username: r.username,
                    firstname: r.firstname,
                    lastname: r.lastname,
                    email: r.email,
                    language: r.language,
                    profile: r.profile,
                    roles: r.roles,
                })
                .collect(),
        },
        client_secret,
    }
}

pub fn provider_view(p: sso::Provider) -> SsoProviderView {
    let s = p.settings;
    SsoProviderView {
        id: p.id,
        name: s.name,
        protocol: match s.protocol {
            sso::Protocol::Oidc => SsoProtocol::Oidc,
            sso::Protocol::Saml => SsoProtocol::Saml,
        },
        enabled: s.enabled,
        oidc: s.oidc.map(|o| OidcView {
            issuer: o.issuer,
            client_id: o.client_id,
            client_secret_set: p.client_secret_set,
            scopes: o.scopes,
            redirect_uri: o.redirect_uri,
            userinfo: o.userinfo,
        }),
        saml: s.saml.map(|s| SamlBody {
            idp_metadata_xml: s.idp_metadata_xml,
            idp_metadata_url: s.idp_metadata_url,
            sp_entity_id: s.sp_entity_id,
        }),
        extra_rule: s.extra_rule,
        user_creation_rules: s
            .user_creation_rules
            .into_iter()
            .map(|r| CreationRuleBody {
                when: r.when,
                username: r.username,
                firstname: r.firstname,
                lastname: r.lastname,
                email: r.email,
                language: r.language,
                profile: r.profile,
                roles: r.roles,
            })
            .collect(),
        updated_at: rfc3339(p.updated_at),
    }
}

pub fn broadworks_input(b: BroadWorksBody) -> sso::BroadWorksInput {
    sso::BroadWorksInput {
        enabled: b.enabled,
        ocip_url: b.ocip_url,
        username: b.username,
        password: b.password,
        proxies: b
            .proxies
            .into_iter()
            .map(|p| sso::BroadWorksProxy {
                name: p.name,
                ocip_url: p.ocip_url,
            })
            .collect(),
    }
}

pub fn broadworks_view(v: sso::BroadWorksView) -> BroadWorksView {
    BroadWorksView {
        enabled: v.enabled,
        ocip_url: v.ocip_url,
        username: v.username,
        password_set: v.password_set,
        proxies: v
            .proxies
            .into_iter()
            .map(|p| BroadWorksProxyBody {
                name: p.name,
                ocip_url: p.ocip_url,
            })
            .collect(),
    }
}
